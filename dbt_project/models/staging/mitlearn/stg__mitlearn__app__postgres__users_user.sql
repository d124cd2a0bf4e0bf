with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitlearn__app__postgres__users_user') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    email as user_email,
    first_name as user_first_name,
    last_name as user_last_name,
    nullif(global_id, '') as user_global_id,
    nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), '') as user_full_name,
    is_active as user_is_active,
    date_joined as user_joined_on
from deduplicated
