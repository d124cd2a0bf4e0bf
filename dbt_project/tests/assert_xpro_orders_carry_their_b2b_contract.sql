-- An xPRO order that redeemed one of a B2B order's seats (a coupon of the coupon payment
-- version that B2B order created) carries that B2B order's contract number and B2B coupon in
-- marts__combined__orders, and no other xPRO order carries one. Rows are the mismatches.
with expected as (
    select distinct
        redemptions.order_id,
        b2b_orders.b2border_contract_number,
        b2b_orders.b2bcoupon_id
    from {{ ref('stg__xpro__app__postgres__ecommerce_couponredemption') }} as redemptions
    inner join {{ ref('stg__xpro__app__postgres__ecommerce_couponversion') }} as coupon_versions
        on redemptions.couponversion_id = coupon_versions.couponversion_id
    inner join {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2border') }} as b2b_orders
        on coupon_versions.couponpaymentversion_id = b2b_orders.couponpaymentversion_id
),

carried as (
    select distinct order_id, b2border_contract_number, b2bcoupon_id
    from {{ ref('marts__combined__orders') }}
    where platform_readable_id = 'xpro'
        and (b2border_contract_number is not null or b2bcoupon_id is not null)
)

select
    coalesce(expected.order_id, carried.order_id) as order_id,
    expected.b2border_contract_number as expected_contract_number,
    carried.b2border_contract_number as carried_contract_number,
    expected.b2bcoupon_id as expected_b2bcoupon_id,
    carried.b2bcoupon_id as carried_b2bcoupon_id
from expected
full outer join carried on expected.order_id = carried.order_id
where expected.order_id is null
    or carried.order_id is null
    or expected.b2border_contract_number is distinct from carried.b2border_contract_number
    or expected.b2bcoupon_id is distinct from carried.b2bcoupon_id
