with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__ecommerce_receipt') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as receipt_id,
    order_id,
    data as receipt_data,
    created_at as receipt_created_on,
    modified_at as receipt_updated_on,
{{ payment_response_columns('data', 'receipt') }}
from deduplicated
