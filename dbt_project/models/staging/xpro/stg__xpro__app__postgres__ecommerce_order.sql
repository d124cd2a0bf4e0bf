with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_order') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as order_id,
    status as order_state,
    purchaser_id as order_purchaser_user_id,
    cast(total_price_paid as decimal(38, 2)) as order_total_price_paid,
    tax_country_code as order_tax_country_code,
    cast(tax_rate as decimal(38, 4)) as order_tax_rate,
    tax_rate_name as order_tax_rate_name,
    created_on as order_created_on,
    updated_on as order_updated_on
from deduplicated
