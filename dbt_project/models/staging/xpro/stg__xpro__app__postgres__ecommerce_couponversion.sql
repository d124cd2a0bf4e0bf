with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_couponversion') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as couponversion_id,
    coupon_id,
    payment_version_id as couponpaymentversion_id,
    created_on as couponversion_created_on,
    updated_on as couponversion_updated_on
from deduplicated
