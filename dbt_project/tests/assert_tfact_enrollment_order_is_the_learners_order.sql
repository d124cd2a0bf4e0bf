-- tfact_enrollment.order_id is the order the enrollment record points at: only xPRO's app
-- keeps one. Each is carried over from the app (no enrollment loses or gains its order), and
-- each names an order of tfact_order on the same platform placed by the same person.
with enrollments as (
    select enrollment_key, platform_readable_id, enrollment_id, user_fk, order_id
    from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
),

staged as (
    select courserunenrollment_id as enrollment_id, ecommerce_order_id as order_id
    from {{ ref('stg__xpro__app__postgres__courses_courserunenrollment') }}
),

orders as (
    select distinct platform_readable_id, order_id, user_fk from {{ ref('tfact_order') }}
)

select enrollments.enrollment_key, 'order_id outside xPRO' as problem
from enrollments
where enrollments.order_id is not null and enrollments.platform_readable_id <> 'xpro'

union all

select enrollments.enrollment_key, 'order_id differs from the app''s'
from enrollments
inner join staged on enrollments.enrollment_id = staged.enrollment_id
where enrollments.platform_readable_id = 'xpro'
    and enrollments.order_id is distinct from staged.order_id

union all

select enrollments.enrollment_key, 'no such order of this learner'
from enrollments
left join orders
    on enrollments.platform_readable_id = orders.platform_readable_id
    and enrollments.order_id = orders.order_id
    and enrollments.user_fk = orders.user_fk
where enrollments.order_id is not null and orders.order_id is null
