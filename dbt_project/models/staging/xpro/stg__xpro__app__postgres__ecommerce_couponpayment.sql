with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_couponpayment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as couponpayment_id,
    name as couponpayment_name,
    created_on as couponpayment_created_on,
    updated_on as couponpayment_updated_on
from deduplicated
