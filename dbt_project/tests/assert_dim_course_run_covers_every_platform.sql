-- dim_course_run integrates MITx Online, xPRO, Bootcamps, edX.org and xPRO's partners (Emeritus,
-- Global Alumni): each must have rows.
with expected as (
    select platform_readable_id
    from (
        values ('mitxonline'), ('xpro'), ('bootcamps'), ('edxorg'), ('emeritus'), ('global_alumni')
    ) as p (platform_readable_id)
),

actual as (
    select platform_readable_id, count(*) as n
    from {{ ref('dim_course_run') }}
    where is_current
    group by platform_readable_id
)

select expected.platform_readable_id
from expected
left join actual on expected.platform_readable_id = actual.platform_readable_id
where coalesce(actual.n, 0) = 0
