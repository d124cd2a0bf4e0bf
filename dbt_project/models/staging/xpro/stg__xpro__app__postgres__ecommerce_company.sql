with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_company') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as company_id,
    name as company_name,
    created_on as company_created_on,
    updated_on as company_updated_on
from deduplicated
