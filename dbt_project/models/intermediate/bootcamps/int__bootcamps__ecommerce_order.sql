-- Bootcamps order lines, one row per (order_id, line_id): an installment payment towards a
-- bootcamp run, with its purchaser.
with orders as (
    select * from {{ ref('stg__bootcamps__app__postgres__ecommerce_order') }}
),

lines as (
    select * from {{ ref('stg__bootcamps__app__postgres__ecommerce_line') }}
),

runs as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamprun') }}
)

select
    orders.order_id,
    lines.line_id,
    orders.order_state,
    orders.order_purchaser_user_id,
    orders.order_payment_type,
    orders.application_id,
    orders.order_reference_number,
    orders.order_total_price_paid,
    orders.order_created_on,
    orders.order_updated_on,
    lines.courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    lines.line_price,
    lines.line_description
from orders
inner join lines on orders.order_id = lines.order_id
left join runs on lines.courserun_id = runs.courserun_id
