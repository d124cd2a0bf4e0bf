with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__auth_user') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    username as user_username,
    email as user_email,
    is_active as user_is_active,
    date_joined as user_joined_on,
    last_login as user_last_login
from deduplicated
