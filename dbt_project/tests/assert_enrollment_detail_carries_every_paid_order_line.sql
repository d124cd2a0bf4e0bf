-- Every order line that paid for a course run (fulfilled or refunded) appears in
-- marts__combined_course_enrollment_detail once for each course enrollment of its purchaser
-- (the person) in that run, and no other order line does, per enrollment platform.
with paid as (
    select enrollments.platform, count(*) as n
    from {{ ref('tfact_order') }} as orders
    inner join {{ ref('tfact_enrollment') }} as enrollments
        on orders.courserun_fk = enrollments.courserun_fk
        and orders.user_fk = enrollments.user_fk
    where orders.order_state in ('fulfilled', 'refunded')
        and enrollments.enrollment_type = 'course'
    group by enrollments.platform
),

mart as (
    select platform, count(*) as n
    from {{ ref('marts__combined_course_enrollment_detail') }}
    where order_id is not null
    group by platform
)

select coalesce(paid.platform, mart.platform) as platform, paid.n as paid_n, mart.n as mart_n
from paid
full outer join mart on paid.platform = mart.platform
where coalesce(paid.n, 0) <> coalesce(mart.n, 0)
