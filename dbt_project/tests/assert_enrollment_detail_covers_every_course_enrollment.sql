-- marts__combined_course_enrollment_detail keeps every course enrollment of tfact_enrollment
-- (at least one row each) and no other, per platform.
with fact as (
    select platform, count(*) as n
    from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
    group by platform
),

mart as (
    select platform, count(distinct {{ generate_surrogate_key([
        'courserunenrollment_id', 'user_id', 'courserun_readable_id'
    ]) }}) as n
    from {{ ref('marts__combined_course_enrollment_detail') }}
    group by platform
)

select coalesce(fact.platform, mart.platform) as platform, fact.n as fact_n, mart.n as mart_n
from fact
full outer join mart on fact.platform = mart.platform
where coalesce(fact.n, 0) <> coalesce(mart.n, 0)
