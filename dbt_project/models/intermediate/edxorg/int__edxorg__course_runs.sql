-- edX.org (MITx on edX) course runs, traced from the course ids of the edX.org archives
-- (enrollments and learner state). The archives carry no run titles or dates.
with seen as (
    select courserun_readable_id, courserunenrollment_file_modified_on as file_modified_on
    from {{ ref('stg__edxorg__s3__tables__student_courseenrollment') }}

    union all

    select courserun_readable_id, studentmodule_file_modified_on as file_modified_on
    from {{ ref('stg__edxorg__s3__tables__courseware_studentmodule') }}
)

select
    {{ platform_name('edxorg') }} as platform,
    courserun_readable_id,
    {{ course_readable_id_from_courserun('courserun_readable_id') }} as course_readable_id,
    min(file_modified_on) as courserun_first_seen_on
from seen
where courserun_readable_id is not null
group by courserun_readable_id
