-- Residential MITx course runs (Open edX course overviews), one row per run.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__course_overviews_courseoverview') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserun_readable_id,
    display_name as courserun_title,
    org as courserun_org,
    self_paced as courserun_is_self_paced,
    display_number_with_default as courserun_course_number,
    "start" as courserun_start_on,
    "end" as courserun_end_on,
    enrollment_start as courserun_enrollment_start_on,
    enrollment_end as courserun_enrollment_end_on,
    certificate_available_date as courserun_certificate_available_on,
    announcement as courserun_announce_on,
    cast(lowest_passing_grade as double) as courserun_passing_grade,
    eligible_for_financial_aid as courserun_is_eligible_for_financial_aid,
    nullif(course_video_url, '') as courserun_video_url,
    created as courserun_created_on,
    modified as courserun_updated_on
from deduplicated
