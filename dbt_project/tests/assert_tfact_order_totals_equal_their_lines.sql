-- An order is one order: its header amounts are the same on each of its lines, and a paid
-- order without a discount cost the sum of its lines (a discount only lowers the total).
with orders as (
    select
        platform_readable_id,
        order_id,
        count(distinct order_total_price_paid) as distinct_totals,
        count(distinct order_state) as distinct_states,
        max(order_total_price_paid) as order_total_price_paid,
        sum(line_price) as line_price_total,
        max(case when discount_fk is not null then 1 else 0 end) as is_discounted,
        max(order_state) as order_state
    from {{ ref('tfact_order') }}
    group by platform_readable_id, order_id
)

select *
from orders
where distinct_totals <> 1
    or distinct_states <> 1
    or order_total_price_paid > line_price_total
    or (is_discounted = 0 and order_state = 'fulfilled'
        and order_total_price_paid <> line_price_total)
