with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__salesforce__api__account') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as account_id,
    name as account_name,
    industry as account_industry,
    systemmodstamp as account_modified_on
from deduplicated
