-- edX.org course-run grades of MITx learners, one row per (user_id, courserun_readable_id):
-- IRx person-course grades, completed by the grade on the learner's certificate (user info)
-- where person-course has none. The person-course grade and passing flag win; a certificate
-- with a verify uuid counts as passing.
with person_course as (
    select user_id, courserun_readable_id, courserungrade_passing_grade,
        courserungrade_user_grade, courserungrade_is_passing
    from {{ ref('stg__edxorg__bigquery__mitx_person_course') }}
    where courserun_platform = 'edxorg' and courserungrade_user_grade is not null
),

certificates as (
    select user_id, courseruncertificate_courserun_readable_id as courserun_readable_id,
        courseruncertificate_grade, courseruncertificate_verify_uuid
    from {{ ref('stg__edxorg__bigquery__mitx_user_info_combo') }}
    where courserun_platform = 'edxorg' and courseruncertificate_grade is not null
),

grades as (
    select
        coalesce(person_course.user_id, certificates.user_id) as user_id,
        coalesce(person_course.courserun_readable_id, certificates.courserun_readable_id)
            as courserun_readable_id,
        person_course.courserungrade_passing_grade,
        coalesce(person_course.courserungrade_user_grade, certificates.courseruncertificate_grade)
            as courserungrade_user_grade,
        coalesce(
            person_course.courserungrade_is_passing,
            nullif(certificates.courseruncertificate_verify_uuid, '') is not null
        ) as courserungrade_is_passing
    from person_course
    full outer join certificates
        on person_course.user_id = certificates.user_id
        and person_course.courserun_readable_id = certificates.courserun_readable_id
),

enrollments as (
    select * from {{ ref('int__edxorg__mitx_courserun_enrollments') }}
),

users as (
    select * from {{ ref('int__edxorg__mitx_users') }}
),

runs as (
    select * from {{ ref('int__edxorg__mitx_courseruns') }}
)

select
    grades.user_id,
    grades.courserun_readable_id,
    users.user_username,
    enrollments.user_mitxonline_username,
    users.user_email,
    users.user_full_name,
    grades.courserungrade_passing_grade,
    grades.courserungrade_user_grade,
    grades.courserungrade_is_passing,
    runs.courserun_title,
    runs.course_number,
    runs.micromasters_program_id
from grades
inner join users on grades.user_id = users.user_id
left join runs on grades.courserun_readable_id = runs.courserun_readable_id
left join enrollments
    on grades.user_id = enrollments.user_id
    and grades.courserun_readable_id = enrollments.courserun_readable_id
