with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__profiles_legaladdress') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_address_id,
    user_id,
    {{ clean_name('first_name') }} as user_first_name,
    {{ clean_name('last_name') }} as user_last_name,
    {{ street_address(['street_address_1', 'street_address_2', 'street_address_3', 'street_address_4', 'street_address_5']) }} as user_street_address,
    nullif(city, '') as user_address_city,
    nullif(state_or_territory, '') as user_address_state_or_territory,
    nullif(country, '') as user_address_country,
    nullif(postal_code, '') as user_address_postal_code
from deduplicated
