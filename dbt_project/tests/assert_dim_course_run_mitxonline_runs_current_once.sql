-- Every MITx Online run of the intermediate layer appears exactly once as the current version
-- of dim_course_run, and dim_course_run has no other current MITx Online run.
with expected as (
    select courserun_readable_id from {{ ref('int__mitxonline__course_runs') }}
),

actual as (
    select courserun_readable_id, count(*) as n
    from {{ ref('dim_course_run') }}
    where is_current and platform_readable_id = 'mitxonline'
    group by courserun_readable_id
)

select
    coalesce(expected.courserun_readable_id, actual.courserun_readable_id) as courserun_readable_id,
    actual.n
from expected
full outer join actual on expected.courserun_readable_id = actual.courserun_readable_id
where expected.courserun_readable_id is null or actual.n is null or actual.n <> 1
