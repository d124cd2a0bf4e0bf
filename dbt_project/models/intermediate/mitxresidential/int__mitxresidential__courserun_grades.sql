-- Residential MITx course grades, one row per (learner, run), with the run's title and the
-- learner's account.
with grades as (
    select * from {{ ref('stg__mitxresidential__openedx__courserun_grade') }}
),

runs as (
    select * from {{ ref('stg__mitxresidential__openedx__courserun') }}
),

users as (
    select * from {{ ref('int__mitxresidential__users') }}
)

select
    grades.courserungrade_id,
    grades.courserun_readable_id,
    grades.user_id,
    grades.courserungrade_grade,
    grades.courserungrade_letter_grade,
    grades.courserungrade_passed_on is not null as courserungrade_is_passing,
    grades.courserungrade_passed_on,
    grades.courserungrade_created_on,
    grades.courserungrade_updated_on,
    runs.courserun_title,
    users.user_username,
    users.user_email
from grades
left join runs on grades.courserun_readable_id = runs.courserun_readable_id
left join users on grades.user_id = users.user_id
