with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__b2b_ecommerce_b2bcoupon') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as b2bcoupon_id,
    name as b2bcoupon_name,
    coupon_code as b2bcoupon_coupon_code,
    cast(discount_percent as decimal(38, 5)) as b2bcoupon_discount_percent,
    product_id,
    enabled as b2bcoupon_is_active,
    reusable as b2bcoupon_is_reusable,
    activation_date as b2bcoupon_activated_on,
    expiration_date as b2bcoupon_expires_on,
    created_on as b2bcoupon_created_on,
    updated_on as b2bcoupon_updated_on
from deduplicated
