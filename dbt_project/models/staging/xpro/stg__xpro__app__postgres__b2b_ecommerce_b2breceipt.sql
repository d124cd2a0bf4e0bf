-- The payment processor's responses to xPRO B2B orders paid by card, one row per response.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__b2b_ecommerce_b2breceipt') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as b2breceipt_id,
    order_id as b2border_id,
    data as b2breceipt_data,
    created_on as b2breceipt_created_on,
    updated_on as b2breceipt_updated_on,
{{ payment_response_columns('data', 'b2breceipt') }}
from deduplicated
