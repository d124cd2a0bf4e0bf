with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_courserun') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserun_id,
    course_id,
    title as courserun_title,
    courseware_id as courserun_readable_id,
    run_tag as courserun_tag,
    courseware_url_path as courserun_url_path,
    start_date as courserun_start_on,
    end_date as courserun_end_on,
    enrollment_start as courserun_enrollment_start_on,
    enrollment_end as courserun_enrollment_end_on,
    upgrade_deadline as courserun_upgrade_deadline,
    is_self_paced as courserun_is_self_paced,
    live as courserun_is_live,
    b2b_contract_id,
    created_on as courserun_created_on,
    updated_on as courserun_updated_on
from deduplicated
