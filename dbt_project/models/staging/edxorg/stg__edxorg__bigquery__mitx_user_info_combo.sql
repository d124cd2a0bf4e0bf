-- edX.org learner profiles with one of their enrollments and its certificate, from IRx's
-- BigQuery export: one row per (user, enrolled course run). IRx also exports MITx Online and
-- xPRO learners; courserun_platform says whose a row is. Run keys are edX.org's course-v1 form.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__mitx_user_info_combo') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'enrollment_course_id']) }})

select
    user_id,
    {{ edxorg_courserun_platform('enrollment_course_id') }} as courserun_platform,
    email as user_email,
    username as user_username,
    id_map_hash_id as user_map_hash_id,
    nullif(trim(profile_name), '') as user_full_name,
    profile_mailing_address as user_mailing_address,
    profile_goals as user_profile_goals,
    nullif(profile_city, '') as user_city,
    case when {{ is_country_code('profile_country') }} then profile_country end as user_country,
    profile_year_of_birth as user_birth_year,
    profile_meta as user_profile_meta,
    {{ edxorg_gender('profile_gender') }} as user_gender,
    {{ edxorg_education('profile_level_of_education') }} as user_highest_education,
    date_joined as user_joined_on,
    last_login as user_last_login,
    {{ edxorg_courserun_key('enrollment_course_id') }} as courserunenrollment_courserun_readable_id,
    enrollment_is_active as courserunenrollment_is_active,
    enrollment_mode as courserunenrollment_mode,
    enrollment_created as courserunenrollment_created_on,
    certificate_id as courseruncertificate_id,
    {{ edxorg_courserun_key('certificate_course_id') }} as courseruncertificate_courserun_readable_id,
    certificate_user_id as courseruncertificate_user_id,
    certificate_key as courseruncertificate_key,
    certificate_mode as courseruncertificate_mode,
    certificate_distinction as courseruncertificate_distinction,
    {{ dbt.safe_cast('certificate_grade', dbt.type_float()) }} as courseruncertificate_grade,
    certificate_download_url as courseruncertificate_download_url,
    certificate_download_uuid as courseruncertificate_download_uuid,
    certificate_verify_uuid as courseruncertificate_verify_uuid,
    certificate_name as courseruncertificate_name,
    certificate_status as courseruncertificate_status,
    certificate_created_date as courseruncertificate_created_on,
    certificate_modified_date as courseruncertificate_updated_on
from deduplicated
-- A blank user id is a parsing error of the export.
where user_id is not null
