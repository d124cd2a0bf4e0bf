with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__auth_user') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    username as user_username,
    nullif(trim(first_name), '') as user_first_name,
    nullif(trim(last_name), '') as user_last_name,
    nullif(trim(concat_ws(' ', nullif(trim(first_name), ''), nullif(trim(last_name), ''))), '')
        as user_full_name,
    email as user_email,
    is_active as user_is_active,
    is_staff as user_is_staff,
    is_superuser as user_is_superuser,
    date_joined as user_joined_on,
    last_login as user_last_login
from deduplicated
