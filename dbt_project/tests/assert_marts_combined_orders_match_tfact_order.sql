-- No order line is lost or counted twice between the fact and the combined orders mart: the
-- same (platform, order, line) keys on both sides, with the same order total. The mart's rows
-- of xPRO B2B orders that no ordinary order reaches are not order lines (the fact's grain).
with mart as (
    select platform_readable_id, order_id, line_id, order_total_price_paid,
        count(*) over (partition by platform_readable_id, order_id, line_id) as copies
    from {{ ref('marts__combined__orders') }}
    where order_id is not null or b2border_id is null
),

fact as (
    select platform_readable_id, order_id, line_id, order_total_price_paid
    from {{ ref('tfact_order') }}
)

select
    coalesce(mart.platform_readable_id, fact.platform_readable_id) as platform_readable_id,
    coalesce(mart.order_id, fact.order_id) as order_id,
    coalesce(mart.line_id, fact.line_id) as line_id,
    mart.copies,
    mart.order_total_price_paid as mart_total,
    fact.order_total_price_paid as fact_total
from mart
full outer join fact
    on mart.platform_readable_id = fact.platform_readable_id
    and mart.order_id = fact.order_id
    and mart.line_id = fact.line_id
where mart.order_id is null
    or fact.order_id is null
    or mart.copies > 1
    or mart.order_total_price_paid <> fact.order_total_price_paid
