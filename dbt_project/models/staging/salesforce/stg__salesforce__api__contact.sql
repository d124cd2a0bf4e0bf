with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__salesforce__api__contact') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as contact_id,
    account_id,
    email as contact_email,
    systemmodstamp as contact_modified_on
from deduplicated
