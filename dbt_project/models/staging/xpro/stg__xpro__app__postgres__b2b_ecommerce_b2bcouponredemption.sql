-- B2B coupons redeemed on xPRO B2B orders, one row per redemption.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__b2b_ecommerce_b2bcouponredemption') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as b2bcouponredemption_id,
    order_id as b2border_id,
    coupon_id as b2bcoupon_id,
    created_on as b2bcouponredemption_created_on,
    updated_on as b2bcouponredemption_updated_on
from deduplicated
