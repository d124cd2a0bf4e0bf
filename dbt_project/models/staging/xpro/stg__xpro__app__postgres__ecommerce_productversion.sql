with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_productversion') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as productversion_id,
    product_id,
    text_id as productversion_readable_id,
    cast(price as decimal(38, 2)) as productversion_price,
    description as productversion_description,
    requires_enrollment_code as productversion_requires_enrollment_code,
    created_on as productversion_created_on,
    updated_on as productversion_updated_on
from deduplicated
