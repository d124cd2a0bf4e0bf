with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__ecommerce_order') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as order_id,
    state as order_state,
    purchaser_id as order_purchaser_user_id,
    reference_number as order_reference_number,
    cast(total_price_paid as decimal(38, 2)) as order_total_price_paid,
    created_on as order_created_on,
    updated_on as order_updated_on
from deduplicated
