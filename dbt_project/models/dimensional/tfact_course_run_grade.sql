-- Course-run grades (MITx Online, from Open edX), keyed to dim_course_run and dim_user (the
-- learner's Open edX account).
with grades as (
    select * from {{ ref('int__mitxonline__course_run_grades') }}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

users as (
    select * from {{ ref('int__combined__user_accounts') }}
)

select
    {{ generate_surrogate_key(["'mitxonline'", 'grades.coursegrade_id']) }} as coursegrade_pk,
    course_runs.courserun_pk as courserun_fk,
    users.user_fk,
    course_runs.platform_fk,
    grades.platform,
    'mitxonline' as platform_readable_id,
    grades.coursegrade_id,
    grades.user_id,
    grades.courserun_readable_id,
    grades.coursegrade_grade,
    grades.coursegrade_letter_grade,
    grades.coursegrade_is_passing,
    grades.coursegrade_passed_on,
    grades.coursegrade_created_on,
    grades.coursegrade_modified_on
from grades
left join course_runs
    on course_runs.platform_readable_id = 'mitxonline'
    and grades.courserun_readable_id = course_runs.courserun_readable_id
left join users
    on users.platform_readable_id = 'mitxonline'
    and users.user_account_source = grades.user_account_source
    and grades.user_id = users.user_id
