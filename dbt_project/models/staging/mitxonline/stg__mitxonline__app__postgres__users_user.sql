with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__users_user') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    username as user_username,
    email as user_email,
    name as user_full_name,
    nullif(global_id, '') as user_global_id,
    is_active as user_is_active,
    last_login as user_last_login,
    created_on as user_joined_on,
    updated_on as user_updated_on
from deduplicated
