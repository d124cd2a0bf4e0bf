with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__ecommerce_transaction') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as transaction_id,
    order_id,
    cast(amount as decimal(38, 2)) as transaction_amount,
    transaction_id as transaction_readable_identifier,
    transaction_type,
    reason as transaction_reason,
    data as transaction_data,
    created_on as transaction_created_on,
    updated_on as transaction_updated_on,
{{ payment_response_columns('data', 'transaction') }}
from deduplicated
