-- Type-2 history of bootcamp runs from the raw Airbyte versions. A bootcamp plays the role of
-- a course; the app keeps no live flag, enrollment window or upgrade deadline on runs.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__klasses_bootcamprun') }}
),

renamed as (
    select
        id as courserun_id,
        bootcamp_id as course_id,
        bootcamp_run_id as courserun_readable_id,
        title as courserun_title,
        start_date as courserun_start_on,
        end_date as courserun_end_on,
        _airbyte_raw_id,
        _airbyte_extracted_at
    from source
),

history as (
    {{ raw_version_history('renamed', 'courserun_id', [
        'course_id', 'courserun_readable_id', 'courserun_title', 'courserun_start_on',
        'courserun_end_on',
    ]) }}
),

bootcamps as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamp') }}
)

select
    {{ platform_name('bootcamps') }} as platform,
    'bootcamps' as platform_readable_id,
    'bootcamps_app' as courserun_source,
    history.courserun_id,
    history.courserun_readable_id,
    bootcamps.course_readable_id,
    history.courserun_title,
    history.courserun_start_on,
    history.courserun_end_on,
    cast(null as {{ type_timestamptz() }}) as courserun_enrollment_start_on,
    cast(null as {{ type_timestamptz() }}) as courserun_enrollment_end_on,
    cast(null as {{ type_timestamptz() }}) as courserun_upgrade_deadline,
    cast(null as boolean) as courserun_is_self_paced,
    cast(null as boolean) as courserun_is_live,
    history.effective_date,
    history.end_date,
    history.is_current
from history
left join bootcamps on history.course_id = bootcamps.course_id
