with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__email_opt_in') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'course_id']) }})

select
    user_id,
    course_id as courserun_readable_id,
    is_opted_in_for_email as emailoptin_is_opted_in,
    preference_set_datetime as emailoptin_preference_set_on
from deduplicated
