with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_product') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as product_id,
    is_active as product_is_active,
    is_private as product_is_private,
    object_id as product_object_id,
    content_type_id as contenttype_id,
    created_on as product_created_on,
    updated_on as product_updated_on
from deduplicated
