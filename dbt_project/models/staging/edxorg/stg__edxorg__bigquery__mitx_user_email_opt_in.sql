-- Course email preferences of edX.org learners from IRx, one row per (user, course run).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__email_opt_in') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'course_id']) }})

select
    user_id,
    email as user_email,
    username as user_username,
    full_name as user_full_name,
    is_opted_in_for_email as user_is_opted_in_for_email,
    {{ edxorg_courserun_key('course_id') }} as courserun_readable_id,
    {{ edxorg_courserun_platform('course_id') }} as courserun_platform,
    preference_set_datetime as user_email_opt_in_updated_on
from deduplicated
