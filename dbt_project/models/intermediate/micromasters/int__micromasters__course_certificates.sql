-- MicroMasters course certificates, placed in the course run of the learner's latest passing
-- final grade in that course (the app certifies a course; the run is where it was earned).
with certificates as (
    select * from {{ ref('stg__micromasters__app__postgres__grades_coursecertificate') }}
),

passing_runs as (
    select * from (
        select
            grades.user_id,
            runs.course_id,
            runs.courserun_id,
            runs.courserun_readable_id,
            row_number() over (
                partition by grades.user_id, runs.course_id
                order by runs.courserun_end_on desc, runs.courserun_id desc
            ) as run_rank
        from {{ ref('stg__micromasters__app__postgres__grades_courserungrade') }} as grades
        inner join {{ ref('stg__micromasters__app__postgres__courses_courserun') }} as runs
            on grades.courserun_id = runs.courserun_id
        where grades.courserungrade_is_passing
    ) as ranked
    where run_rank = 1
),

courses as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_course') }}
)

select
    {{ platform_name('micromasters') }} as platform,
    certificates.coursecertificate_id,
    certificates.coursecertificate_hash,
    certificates.coursecertificate_url,
    certificates.user_id,
    certificates.course_id,
    courses.program_id,
    passing_runs.courserun_id,
    passing_runs.courserun_readable_id,
    certificates.coursecertificate_created_on,
    certificates.coursecertificate_updated_on
from certificates
inner join courses on certificates.course_id = courses.course_id
left join passing_runs
    on certificates.user_id = passing_runs.user_id
    and certificates.course_id = passing_runs.course_id
