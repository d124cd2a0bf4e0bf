-- Problem submissions (problem_check) of every platform with the learner and the course run,
-- one row per submission (tfact_problem_events.event_id), for reporting.
with submissions as (
    select * from {{ ref('tfact_problem_events') }}
    where event_type = 'problem_check'
),

users as (
    select user_pk, full_name, email, address_country, highest_education, gender
    from {{ ref('dim_user') }}
),

runs as (
    select
        platform_readable_id,
        courserun_readable_id,
        courserun_title,
        course_readable_id,
        courserun_start_on,
        courserun_end_on,
        courserun_end_on is null or courserun_end_on > current_timestamp as courserun_is_current
    from {{ ref('dim_course_run') }}
    where is_current
)

select
    submissions.event_id as problem_submission_id,
    submissions.platform,
    submissions.user_username,
    submissions.courserun_readable_id,
    submissions.problem_block_fk as problem_id,
    submissions.problem_name,
    submissions.attempt as num_attempts,
    submissions.answers as student_answers,
    submissions.success as problem_success,
    submissions.grade as problem_grade,
    submissions.max_grade as problem_max_grade,
    submissions.event_timestamp as problem_submission_timestamp,
    users.full_name as user_full_name,
    users.email as user_email,
    users.address_country as user_country_code,
    users.user_pk as user_hashed_id,
    users.highest_education as user_highest_education,
    users.gender as user_gender,
    runs.courserun_title,
    coalesce(runs.course_readable_id, {{ course_readable_id_from_courserun('submissions.courserun_readable_id') }})
        as course_readable_id,
    runs.courserun_start_on,
    runs.courserun_end_on,
    runs.courserun_is_current
from submissions
left join users on submissions.user_fk = users.user_pk
left join runs
    on submissions.platform = runs.platform_readable_id
    and submissions.courserun_readable_id = runs.courserun_readable_id
