-- edX.org learners of MIT courses. The archives hold one auth_user dump per course, and a
-- course may be exported again: keep the newest version of each user (by file date).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__tables__auth_user') }}
),

newest as (
    select * from (
        select
            *,
            row_number() over (
                partition by id
                order by _file_modification_date desc, _file_path desc
            ) as _file_rank
        from source
    ) as ranked
    where _file_rank = 1
)

select
    {{ dbt.safe_cast('id', 'bigint') }} as user_id,
    username as user_username,
    email as user_email,
    first_name as user_first_name,
    last_name as user_last_name,
    nullif(trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }}), '')
        as user_full_name,
    is_active = '1' as user_is_active,
    is_staff = '1' as user_is_staff,
    is_superuser = '1' as user_is_superuser,
    {{ utc_timestamp_from_text('last_login') }} as user_last_login_on,
    {{ utc_timestamp_from_text('date_joined') }} as user_joined_on,
    _file_modification_date as user_file_modified_on
from newest
