-- Emeritus's export of the xPRO courses it delivers: one row per learner and batch (a course
-- run), with the learner's profile as Emeritus collected it. A batch's wrike_run_code is the
-- run's code in xPRO (its external course run id). Placeholder answers are null.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__emeritus__bigquery__api_enrollments') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['batch_id', 'student_id']) }})

select
    batch_id as courserun_id,
    batch as courserun_title,
    cast(batch_start_date as {{ type_timestamptz() }}) as courserun_start_on,
    cast(batch_end_date as {{ type_timestamptz() }}) as courserun_end_on,
    wrike_run_code as courserun_external_readable_id,
    student_id as user_id,
    {{ partner_answer('email') }} as user_email,
    first_name as user_first_name,
    last_name as user_last_name,
    {{ clean_name("concat_ws(' ', first_name, last_name)") }} as user_full_name,
    company_name as user_company,
    work_exp_slab as user_years_experience,
    nationality as user_nationality,
    {{ partner_answer('residential_address') }} as user_address_street,
    {{ partner_answer('residential_city') }} as user_address_city,
    {{ partner_answer('residential_state') }} as user_address_state,
    residential_zip_code as user_address_postal_code,
    country as user_address_country,
    {{ partner_answer('"function"') }} as user_job_function,
    {{ partner_answer('job_title') }} as user_job_title,
    {{ partner_answer('industry') }} as user_industry,
    {{ partner_gender_label('gender') }} as user_gender,
    gdpr_agree as user_gdpr_agree,
    cast(gdpr_consent_date as {{ type_timestamptz() }}) as user_gdpr_consent_date,
    enrollment_type,
    cast(opportunity_created_date as {{ type_timestamptz() }}) as enrollment_created_on,
    cast(opportunity_last_modified_date as {{ type_timestamptz() }}) as enrollment_updated_on,
    coalesce(lower(status) = 'enrolled', false) as is_enrolled,
    case when deferred then 'deferred' end as enrollment_status
from deduplicated
