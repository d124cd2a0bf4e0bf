with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__ecommerce_redeemedcoupon') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as redeemedcoupon_id,
    order_id,
    coupon_id,
    created_on as redeemedcoupon_created_on,
    updated_on as redeemedcoupon_updated_on
from deduplicated
