-- MicroMasters enrichment reaches the matching MITx Online runs: every MicroMasters run whose
-- edX course key is a MITx Online run carries its exam semester and passing grade in the
-- current dim_course_run row, and at least one run is matched.
with micromasters as (
    select * from {{ ref('int__micromasters__course_runs') }}
),

mitxonline as (
    select * from {{ ref('dim_course_run') }}
    where is_current and platform_readable_id = 'mitxonline'
),

matched as (
    select
        micromasters.courserun_readable_id,
        micromasters.courserun_exam_semester,
        micromasters.courserun_passing_grade,
        mitxonline.courserun_semester,
        mitxonline.courserun_passing_grade as dim_passing_grade,
        mitxonline.courserun_is_micromasters
    from micromasters
    inner join mitxonline on micromasters.courserun_readable_id = mitxonline.courserun_readable_id
)

select courserun_readable_id, 'not enriched' as problem
from matched
where not courserun_is_micromasters
    or coalesce(courserun_semester, '') <> coalesce(courserun_exam_semester, '')
    or coalesce(dim_passing_grade, -1) <> coalesce(courserun_passing_grade, -1)

union all

select cast(null as {{ dbt.type_string() }}) as courserun_readable_id, 'no MicroMasters run matched' as problem
from (select count(*) as n from matched) as counted
where n = 0
