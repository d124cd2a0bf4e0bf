with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__users_legaladdress') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_address_id,
    user_id,
    {{ clean_name('first_name') }} as user_first_name,
    {{ clean_name('last_name') }} as user_last_name,
    nullif(country, '') as user_address_country,
    nullif(state, '') as user_address_state
from deduplicated
