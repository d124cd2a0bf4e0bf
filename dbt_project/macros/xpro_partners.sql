{#-
  xPRO's delivery partners (Emeritus, Global Alumni) as the warehouse models them, from each
  partner's enrollment export (one row per learner and batch): its learner accounts, its
  enrollments and its course runs (batches, keyed by xPRO's run code, the wrike run code).
-#}

{#- Null for the placeholders xPRO's partners (Emeritus, Global Alumni) export for an absent
    answer ('No Response', '(blank)', 'NO RESPONSE', any case) and for blanks. -#}
{% macro partner_answer(column) -%}
  case
    when lower(trim({{ column }})) in ('no response', '(blank)', '') then null
    else {{ column }}
  end
{%- endmacro %}

{#- The partners' gender answers as the learner applications label them (gender_label). -#}
{% macro partner_gender_label(column) -%}
  case {{ column }}
    when 'Prefer not to answer' then 'Other/Prefer Not to Say'
    when 'Nonbinary' then 'Non-binary/non-conforming'
    else {{ partner_answer(column) }}
  end
{%- endmacro %}

{#-
  The staging select of a partner's enrollment export (one row per batch and student id, the
  newest extraction), placeholder answers null. The partners export the same columns, except
  that only Emeritus exports the enrollment (opportunity) dates and type and the learner's
  nationality: with_opportunity.
-#}
{% macro partner_enrollment_staging(raw_table, with_opportunity) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
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
    {%- if with_opportunity %}
    nationality as user_nationality,
    {%- endif %}
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
    {%- if with_opportunity %}
    enrollment_type,
    cast(opportunity_created_date as {{ type_timestamptz() }}) as enrollment_created_on,
    cast(opportunity_last_modified_date as {{ type_timestamptz() }}) as enrollment_updated_on,
    {%- endif %}
    coalesce(lower(status) = 'enrolled', false) as is_enrolled,
    case when deferred then 'deferred' end as enrollment_status
from deduplicated
{%- endmacro %}

{#-
  The learner accounts of one of xPRO's partners (Emeritus, Global Alumni) from its enrollment
  export: one row per student id, with the profile of its newest batch row (the partners
  repeat the profile on every batch). joined_on: the column whose earliest value is when the
  learner first appeared.
-#}
{% macro partner_user_accounts(platform_readable_id, staging_model, joined_on) -%}
with ranked as (
    select
        *,
        min({{ joined_on }}) over (partition by user_id) as user_joined_on,
        row_number() over (
            partition by user_id
            order by user_gdpr_consent_date desc nulls last, courserun_start_on desc, courserun_id
        ) as recency
    from {{ ref(staging_model) }}
)

select
    {{ platform_name(platform_readable_id) }} as platform,
    'partner' as user_account_source,
    cast(user_id as {{ dbt.type_bigint() }}) as user_id,
    cast(null as {{ dbt.type_string() }}) as user_username,
    user_email,
    user_full_name,
    user_joined_on,
    cast(null as boolean) as user_is_active,
    user_address_country as user_country,
    user_address_state,
    user_address_city,
    user_address_postal_code,
    user_address_street as user_street_address,
    user_gender,
    user_company,
    user_job_title,
    user_industry
from ranked
where recency = 1
{%- endmacro %}

{#-
  A partner's course enrollments, one row per (student, batch), in the shape of the platforms'
  intermediate enrollment models. A run xPRO lists (its external course run id is the
  partner's run code) is xPRO's run: courserun_platform_readable_id says whose run
  courserun_readable_id names. The exports carry no enrollment id and no mode; with_dates:
  whether the export has the enrollment's created and modified dates (Emeritus's only).
-#}
{% macro partner_enrollments(platform_readable_id, staging_model, with_dates) -%}
with xpro_runs as (
    select courserun_readable_id, courserun_external_readable_id
    from {{ ref('stg__xpro__app__postgres__courses_courserun') }}
    where courserun_external_readable_id is not null
)

select
    {{ platform_name(platform_readable_id) }} as platform,
    '{{ platform_readable_id }}_bigquery' as courserunenrollment_source,
    cast(null as {{ dbt.type_bigint() }}) as courserunenrollment_id,
    'partner' as user_account_source,
    cast(enrollments.user_id as {{ dbt.type_bigint() }}) as user_id,
    -- The run: xPRO's own where xPRO lists the partner's run, else the partner's run code.
    coalesce(xpro_runs.courserun_readable_id, enrollments.courserun_external_readable_id)
        as courserun_readable_id,
    case when xpro_runs.courserun_readable_id is not null then 'xpro'
        else '{{ platform_readable_id }}' end as courserun_platform_readable_id,
    enrollments.courserun_external_readable_id,
    enrollments.courserun_id as partner_batch_id,
    enrollments.courserun_title,
    enrollments.courserun_start_on,
    enrollments.courserun_end_on,
    enrollments.is_enrolled as courserunenrollment_is_active,
    cast(null as {{ dbt.type_string() }}) as courserunenrollment_enrollment_mode,
    enrollments.enrollment_status as courserunenrollment_enrollment_status,
    {%- if with_dates %}
    enrollments.enrollment_created_on as courserunenrollment_created_on,
    enrollments.enrollment_updated_on as courserunenrollment_updated_on
    {%- else %}
    cast(null as {{ type_timestamptz() }}) as courserunenrollment_created_on,
    cast(null as {{ type_timestamptz() }}) as courserunenrollment_updated_on
    {%- endif %}
from {{ ref(staging_model) }} as enrollments
left join xpro_runs
    on enrollments.courserun_external_readable_id = xpro_runs.courserun_external_readable_id
{%- endmacro %}
