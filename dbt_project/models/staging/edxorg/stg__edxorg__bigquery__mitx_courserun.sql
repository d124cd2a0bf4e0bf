-- IRx's course list: one row per course run with its title, semester and dates. Also MITx
-- Online / xPRO runs (courserun_platform); run keys are edX.org's course-v1 form.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__mitx_course') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'course_id') }})

select
    {{ edxorg_courserun_key('course_id') }} as courserun_readable_id,
    {{ course_readable_id_from_courserun(edxorg_courserun_key('course_id')) }} as course_readable_id,
    {{ edxorg_courserun_platform('course_id') }} as courserun_platform,
    course_title as courserun_title,
    semester as courserun_semester,
    url as courserun_url,
    instructors as courserun_instructors,
    replace(course_number, ' ', '') as course_number,
    case when institution = 'MITx_PRO' then 'MITxPRO' else institution end as courserun_institution,
    department as coursedepartment_name,
    dept_number as coursedepartment_number,
    content_type as courserun_content_type,
    registration_open as courserun_enrollment_start_date,
    course_launch as courserun_start_date,
    course_wrap as courserun_end_date,
    coalesce(self_paced = 1, false) as courserun_is_self_paced
from deduplicated
