with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_line') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as line_id,
    order_id,
    product_version_id as productversion_id,
    quantity as line_quantity,
    created_on as line_created_on,
    updated_on as line_updated_on
from deduplicated
