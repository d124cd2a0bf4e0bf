with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__social_auth_usersocialauth') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_auth_id,
    user_id,
    uid as user_username,
    provider as user_auth_provider,
    created as user_auth_created_on,
    modified as user_auth_updated_on
from deduplicated
