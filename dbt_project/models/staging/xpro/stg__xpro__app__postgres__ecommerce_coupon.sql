with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_coupon') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coupon_id,
    coupon_code,
    payment_id as couponpayment_id,
    enabled as coupon_is_active,
    is_global as coupon_is_global,
    include_future_runs as coupon_applies_to_future_runs,
    created_on as coupon_created_on,
    updated_on as coupon_updated_on
from deduplicated
