-- Residential MITx course runs, with the course key each belongs to (course-v1:MITx+6.002x
-- for both the opaque and the legacy MITx/6.002x/2013_Spring run keys).
select
    courserun_readable_id,
    case
        when courserun_readable_id like 'course-v1:%'
            then {{ course_readable_id_from_courserun('courserun_readable_id') }}
        else {{ dbt.concat(["'course-v1:'", "courserun_org", "'+'", "courserun_course_number"]) }}
    end as course_readable_id,
    courserun_title,
    courserun_org,
    courserun_course_number,
    courserun_start_on,
    courserun_end_on,
    courserun_enrollment_start_on,
    courserun_enrollment_end_on,
    courserun_is_self_paced,
    courserun_passing_grade,
    courserun_created_on,
    courserun_updated_on
from {{ ref('stg__mitxresidential__openedx__courserun') }}
