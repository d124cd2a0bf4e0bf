-- Every xPRO B2B order is in the orders mart once, read here from staging: a purchase whose
-- seat codes some ordinary order redeemed (through the coupon payment version the purchase
-- created) is on those orders' rows and has no row of its own; any other has exactly one row
-- of its own, with its total, state and receipt reference. A row here is a B2B order counted
-- otherwise.
with b2b_orders as (
    select * from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2border') }}
),

redeemed_versions as (
    select distinct coupon_versions.couponpaymentversion_id
    from {{ ref('stg__xpro__app__postgres__ecommerce_couponredemption') }} as redemptions
    inner join {{ ref('stg__xpro__app__postgres__ecommerce_couponversion') }} as coupon_versions
        on redemptions.couponversion_id = coupon_versions.couponversion_id
),

receipts as (
    select b2border_id, max(b2breceipt_reference_number) as reference_number
    from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2breceipt') }}
    group by b2border_id
),

mart as (
    select * from {{ ref('marts__combined__orders') }}
    where platform_readable_id = 'xpro'
),

own_rows as (
    select b2border_id, count(*) as rows_, max(order_total_price_paid) as total,
        max(order_state) as state, max(req_reference_number) as reference_number
    from mart
    where order_id is null
    group by b2border_id
),

order_rows as (
    select b2border_id, count(*) as rows_
    from mart
    where order_id is not null and b2border_id is not null
    group by b2border_id
)

select
    b2b_orders.b2border_id,
    redeemed_versions.couponpaymentversion_id is not null as redeemed,
    own_rows.rows_ as own_rows,
    order_rows.rows_ as order_rows
from b2b_orders
left join redeemed_versions
    on b2b_orders.couponpaymentversion_id = redeemed_versions.couponpaymentversion_id
left join receipts on b2b_orders.b2border_id = receipts.b2border_id
left join own_rows on b2b_orders.b2border_id = own_rows.b2border_id
left join order_rows on b2b_orders.b2border_id = order_rows.b2border_id
where
    (redeemed_versions.couponpaymentversion_id is not null
        and (own_rows.rows_ is not null or order_rows.rows_ is null))
    or (
        redeemed_versions.couponpaymentversion_id is null
        and (
            own_rows.rows_ is distinct from 1
            or order_rows.rows_ is not null
            or own_rows.total is distinct from b2b_orders.b2border_total_price
            or own_rows.state is distinct from b2b_orders.b2border_status
            or own_rows.reference_number is distinct from receipts.reference_number
        )
    )
