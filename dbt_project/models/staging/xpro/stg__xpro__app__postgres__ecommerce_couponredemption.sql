with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_couponredemption') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as couponredemption_id,
    order_id,
    coupon_version_id as couponversion_id,
    created_on as couponredemption_created_on,
    updated_on as couponredemption_updated_on
from deduplicated
