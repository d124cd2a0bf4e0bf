-- Type-2 history of xPRO course runs from the raw Airbyte versions. The xPRO app keeps no
-- enrollment window or upgrade deadline on its runs.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_courserun') }}
),

renamed as (
    select
        id as courserun_id,
        course_id,
        courseware_id as courserun_readable_id,
        title as courserun_title,
        start_date as courserun_start_on,
        end_date as courserun_end_on,
        live as courserun_is_live,
        _airbyte_raw_id,
        _airbyte_extracted_at
    from source
),

history as (
    {{ raw_version_history('renamed', 'courserun_id', [
        'course_id', 'courserun_readable_id', 'courserun_title', 'courserun_start_on',
        'courserun_end_on', 'courserun_is_live',
    ]) }}
),

courses as (
    select * from {{ ref('stg__xpro__app__postgres__courses_course') }}
)

select
    {{ platform_name('xpro') }} as platform,
    'xpro' as platform_readable_id,
    'xpro_app' as courserun_source,
    history.courserun_id,
    history.courserun_readable_id,
    courses.course_readable_id,
    history.courserun_title,
    history.courserun_start_on,
    history.courserun_end_on,
    cast(null as {{ type_timestamptz() }}) as courserun_enrollment_start_on,
    cast(null as {{ type_timestamptz() }}) as courserun_enrollment_end_on,
    cast(null as {{ type_timestamptz() }}) as courserun_upgrade_deadline,
    cast(null as boolean) as courserun_is_self_paced,
    history.courserun_is_live and coalesce(courses.course_is_live, true) as courserun_is_live,
    history.effective_date,
    history.end_date,
    history.is_current
from history
left join courses on history.course_id = courses.course_id
