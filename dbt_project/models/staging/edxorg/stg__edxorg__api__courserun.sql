-- MITx course runs on edX.org from the discovery API (S3 report), one row per run: titles,
-- dates, pacing and enrollment settings. Runs whose title starts with "delete" are dropped.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__mitx_course_run') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'run_key') }})

select
    run_key as courserun_readable_id,
    {{ dbt.concat(["'course-v1:'", 'course_key']) }} as course_readable_id,
    title as courserun_title,
    short_description as courserun_short_description,
    full_description as courserun_full_description,
    level_type as courserun_level,
    marketing_url as courserun_marketing_url,
    languages as courserun_languages,
    min_effort as courserun_min_weekly_hours,
    max_effort as courserun_max_weekly_hours,
    estimated_hours as courserun_estimated_hours,
    enrollment_type as courserun_enrollment_mode,
    availability as courserun_availability,
    status as courserun_status,
    is_enrollable as courserun_is_enrollable,
    pacing_type as courserun_pace,
    nullif(staff, '[]') as courserun_instructors,
    nullif(seats, '[]') as courserun_enrollment_modes,
    {{ json_text_at('image', '$.url') }} as courserun_image_url,
    coalesce(status = 'published' and is_enrollable, false) as courserun_is_published,
    case pacing_type when 'self_paced' then true when 'instructor_paced' then false end
        as courserun_is_self_paced,
    case
        when weeks_to_complete = 1 then '1 week'
        when weeks_to_complete > 1 then cast(weeks_to_complete as {{ dbt.type_string() }}) || ' weeks'
    end as courserun_duration,
    case
        when min_effort is not null and max_effort is not null
            then cast(min_effort as {{ dbt.type_string() }}) || '-'
                || cast(max_effort as {{ dbt.type_string() }}) || ' hours per week'
        when coalesce(min_effort, max_effort) is not null
            then cast(coalesce(min_effort, max_effort) as {{ dbt.type_string() }}) || ' hours per week'
    end as courserun_time_commitment,
    start_on as courserun_start_on,
    end_on as courserun_end_on,
    enrollment_start as courserun_enrollment_start_on,
    enrollment_end as courserun_enrollment_end_on,
    announcement as courserun_announce_on,
    modified as courserun_updated_at
from deduplicated
where lower(title) not like 'delete%'
