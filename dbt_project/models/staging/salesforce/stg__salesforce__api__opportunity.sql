with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__salesforce__api__opportunity') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as opportunity_id,
    account_id,
    stage_name as opportunity_stage_name,
    stage_name in ('Closed Won', 'Closed Lost') as opportunity_is_closed,
    stage_name = 'Closed Won' as opportunity_is_won,
    amount as opportunity_amount,
    {{ dbt.safe_cast('close_date', 'date') }} as opportunity_close_date,
    systemmodstamp as opportunity_modified_on
from deduplicated
