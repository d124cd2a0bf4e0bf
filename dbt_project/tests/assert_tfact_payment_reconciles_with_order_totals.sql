-- Payments reconcile with orders: every payment belongs to an order of tfact_order, and a paid
-- order (fulfilled or refunded, with something to pay) was charged exactly its total with
-- tax by its accepted payments (refunds are separate transactions and are not counted).
with orders as (
    select
        platform_readable_id,
        order_id,
        max(order_state) as order_state,
        max(order_total_price_paid_plus_tax) as order_total_price_paid_plus_tax
    from {{ ref('tfact_order') }}
    group by platform_readable_id, order_id
),

payments as (
    select * from {{ ref('tfact_payment') }}
),

charged as (
    select platform_readable_id, order_id, sum(transaction_amount) as charged_amount
    from payments
    where transaction_status = 'ACCEPT' and transaction_type <> 'refund'
    group by platform_readable_id, order_id
),

orphan_payments as (
    select
        payments.platform_readable_id,
        payments.order_id,
        'payment without an order' as problem,
        payments.transaction_amount as expected,
        cast(null as decimal(38, 2)) as actual
    from payments
    left join orders
        on payments.platform_readable_id = orders.platform_readable_id
        and payments.order_id = orders.order_id
    where orders.order_id is null
),

unreconciled_orders as (
    select
        orders.platform_readable_id,
        orders.order_id,
        'paid order not charged its total' as problem,
        orders.order_total_price_paid_plus_tax as expected,
        charged.charged_amount as actual
    from orders
    left join charged
        on orders.platform_readable_id = charged.platform_readable_id
        and orders.order_id = charged.order_id
    where orders.order_state in ('fulfilled', 'refunded')
        and orders.order_total_price_paid_plus_tax > 0
        and (charged.charged_amount is null
            or charged.charged_amount <> orders.order_total_price_paid_plus_tax)
)

select * from orphan_payments
union all
select * from unreconciled_orders
