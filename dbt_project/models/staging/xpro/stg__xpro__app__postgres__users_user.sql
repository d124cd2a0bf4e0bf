with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__users_user') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    username as user_username,
    email as user_email,
    {{ clean_name('name') }} as user_full_name,
    is_active as user_is_active,
    created_on as user_joined_on,
    last_login as user_last_login,
    updated_on as user_updated_on
from deduplicated
