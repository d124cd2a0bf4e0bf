-- xPRO course-run enrollments from the app, the source of record (its learners are app users,
-- who place the orders; it alone keeps the status). The app keeps no enrollment mode: it is the
-- mode of the same person's Open edX enrollment in the run, found through the accounts
-- int__combined__user_accounts links to that person, and that Open edX enrollment's presence
-- says whether the learner is enrolled on Open edX.
with enrollments as (
    select * from {{ ref('stg__xpro__app__postgres__courses_courserunenrollment') }}
),

runs as (
    select * from {{ ref('stg__xpro__app__postgres__courses_courserun') }}
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where platform_readable_id = 'xpro'
),

-- Open edX enrollments by person and run (a person holds one Open edX account per platform;
-- the earliest enrollment wins if an old duplicate account exists).
openedx_enrollments as (
    select user_fk, courserun_readable_id, courserunenrollment_enrollment_mode
    from (
        select
            accounts.user_fk,
            openedx.courserun_readable_id,
            openedx.courserunenrollment_enrollment_mode,
            row_number() over (
                partition by accounts.user_fk, openedx.courserun_readable_id
                order by openedx.courserunenrollment_created_on, openedx.courserunenrollment_id
            ) as _rank
        from {{ ref('stg__xpro__openedx__mysql__student_courseenrollment') }} as openedx
        inner join accounts
            on accounts.user_account_source = 'openedx'
            and openedx.user_id = accounts.user_id
    ) as ranked
    where _rank = 1
)

select
    {{ platform_name('xpro') }} as platform,
    'xpro_app' as courserunenrollment_source,
    enrollments.courserunenrollment_id,
    'app' as user_account_source,
    enrollments.user_id,
    runs.courserun_readable_id,
    enrollments.courserunenrollment_is_active,
    openedx_enrollments.courserunenrollment_enrollment_mode,
    enrollments.courserunenrollment_created_on,
    openedx_enrollments.courserun_readable_id is not null as courserunenrollment_is_edx_enrolled
from enrollments
inner join runs on enrollments.courserun_id = runs.courserun_id
left join accounts
    on accounts.user_account_source = 'app'
    and enrollments.user_id = accounts.user_id
left join openedx_enrollments
    on accounts.user_fk = openedx_enrollments.user_fk
    and runs.courserun_readable_id = openedx_enrollments.courserun_readable_id
