-- Type-2 history of MITx Online course runs, built from the raw Airbyte versions (one row
-- version per extraction); the current version equals the staging row.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_courserun') }}
),

renamed as (
    select
        id as courserun_id,
        course_id,
        courseware_id as courserun_readable_id,
        title as courserun_title,
        start_date as courserun_start_on,
        end_date as courserun_end_on,
        enrollment_start as courserun_enrollment_start_on,
        enrollment_end as courserun_enrollment_end_on,
        upgrade_deadline as courserun_upgrade_deadline,
        is_self_paced as courserun_is_self_paced,
        live as courserun_is_live,
        _airbyte_raw_id,
        _airbyte_extracted_at
    from source
),

history as (
    {{ raw_version_history('renamed', 'courserun_id', [
        'course_id', 'courserun_readable_id', 'courserun_title', 'courserun_start_on',
        'courserun_end_on', 'courserun_enrollment_start_on', 'courserun_enrollment_end_on',
        'courserun_upgrade_deadline', 'courserun_is_self_paced', 'courserun_is_live',
    ]) }}
),

courses as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_course') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    'mitxonline' as platform_readable_id,
    'mitxonline_app' as courserun_source,
    history.courserun_id,
    history.courserun_readable_id,
    courses.course_readable_id,
    history.courserun_title,
    history.courserun_start_on,
    history.courserun_end_on,
    history.courserun_enrollment_start_on,
    history.courserun_enrollment_end_on,
    history.courserun_upgrade_deadline,
    history.courserun_is_self_paced,
    -- a run is live when it and its course are (the course's current state)
    history.courserun_is_live and coalesce(courses.course_is_live, true) as courserun_is_live,
    history.effective_date,
    history.end_date,
    history.is_current
from history
left join courses on history.course_id = courses.course_id
