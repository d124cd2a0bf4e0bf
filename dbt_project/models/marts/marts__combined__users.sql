-- Learners, one row per person (dim_user's grain), with their accounts' ids and usernames per
-- platform, profile, full address, and course activity: distinct courses enrolled in and
-- passed, and the start dates of their first and last course runs.
with people as (
    select * from {{ ref('dim_user') }}
),

accounts as (
    select
        accounts.*,
        row_number() over (
            partition by user_fk
            order by user_joined_on nulls first, user_account_pk
        ) as account_recency
    from {{ ref('int__combined__user_accounts') }} as accounts
),

account_summary as (
    select
        user_fk,
        min(user_joined_on) as user_joined_on,
        max(user_last_login) as user_last_login,
        bool_or(coalesce(user_is_active, false)) as user_is_active,
        -- The full address of the most recently joined account that has a street address.
        max_by(user_street_address, case when user_street_address is not null then account_recency end)
            as user_street_address,
        max_by(user_address_city, case when user_street_address is not null then account_recency end)
            as user_address_city,
        max_by(user_address_state, case when user_street_address is not null then account_recency end)
            as user_address_state_or_territory,
        max_by(user_address_postal_code, case when user_street_address is not null then account_recency end)
            as user_address_postal_code,
        max_by(
            user_username,
            case when platform_readable_id = 'bootcamps' then account_recency end
        ) as user_bootcamps_username
    from accounts
    group by user_fk
),

person_platforms as (
    select distinct user_fk, platform
    from accounts
),

platform_lists as (
    select user_fk, {{ dbt.listagg('platform', "', '", 'order by platform') }} as platforms
    from person_platforms
    group by user_fk
),

enrollments as (
    select
        enrollments.user_fk,
        runs.platform_readable_id,
        runs.course_readable_id,
        runs.courserun_readable_id,
        runs.courserun_start_on
    from {{ ref('tfact_enrollment') }} as enrollments
    inner join {{ ref('dim_course_run') }} as runs
        on enrollments.courserun_fk = runs.courserun_pk
    where enrollments.enrollment_type = 'course'
),

passed_runs as (
    select distinct grades.user_fk, runs.platform_readable_id, runs.course_readable_id
    from {{ ref('tfact_grade') }} as grades
    inner join {{ ref('dim_course_run') }} as runs
        on grades.courserun_fk = runs.courserun_pk
    where grades.is_passing
),

certificate_stats as (
    select
        certificates.user_fk,
        count(distinct case when certificates.certificate_scope = 'course'
            then certificates.certificate_key end) as number_of_courserun_certificates,
        bool_or(certificates.certificate_scope = 'program') as has_program_certificate,
        bool_or(certificates.certificate_scope = 'program' and programs.program_is_dedp)
            as has_dedp_program_certificate
    from {{ ref('tfact_certificate') }} as certificates
    left join {{ ref('dim_program') }} as programs
        on certificates.program_fk = programs.program_pk
    where not coalesce(certificates.certificate_is_revoked, false)
    group by certificates.user_fk
),

-- tfact_order repeats an order's amounts on each of its lines: one row per order first.
order_stats as (
    select user_fk, sum(order_total_price_paid) as total_amount_paid_orders
    from (
        select distinct platform_readable_id, order_id, user_fk, order_total_price_paid
        from {{ ref('tfact_order') }}
        where order_state = 'fulfilled'
    ) as orders
    group by user_fk
),

course_stats as (
    select
        user_fk,
        count(distinct platform_readable_id || ':' || course_readable_id) as num_of_course_enrolled,
        min(courserun_start_on) as first_course_start_datetime,
        max(courserun_start_on) as last_course_start_datetime
    from enrollments
    group by user_fk
),

passed_stats as (
    select user_fk, count(distinct platform_readable_id || ':' || course_readable_id) as num_of_course_passed
    from passed_runs
    group by user_fk
)

select
    people.user_pk as user_hashed_id,
    people.email as user_email,
    account_summary.user_joined_on,
    account_summary.user_last_login,
    account_summary.user_is_active,
    platform_lists.platforms,
    people.full_name as user_full_name,
    people.address_country as user_address_country,
    people.highest_education as user_highest_education,
    people.gender as user_gender,
    people.birth_year as user_birth_year,
    people.company as user_company,
    people.job_title as user_job_title,
    people.industry as user_industry,
    account_summary.user_street_address,
    account_summary.user_address_city,
    coalesce(account_summary.user_address_state_or_territory, people.address_state)
        as user_address_state_or_territory,
    account_summary.user_address_postal_code,
    people.mitxonline_application_user_id as user_mitxonline_id,
    people.edxorg_openedx_user_id as user_edxorg_id,
    people.mitxpro_application_user_id as user_mitxpro_id,
    people.bootcamps_application_user_id as user_bootcamps_id,
    people.mitlearn_user_id as user_mitlearn_id,
    people.micromasters_user_id as user_micromasters_id,
    people.user_mitxonline_username,
    people.user_edxorg_username,
    people.user_mitxpro_username,
    account_summary.user_bootcamps_username,
    coalesce(course_stats.num_of_course_enrolled, 0) as num_of_course_enrolled,
    coalesce(passed_stats.num_of_course_passed, 0) as num_of_course_passed,
    course_stats.first_course_start_datetime,
    course_stats.last_course_start_datetime,
    people.latest_income_usd,
    coalesce(certificate_stats.number_of_courserun_certificates, 0)
        as number_of_courserun_certificates,
    coalesce(certificate_stats.has_program_certificate, false) as has_program_certificate,
    coalesce(certificate_stats.has_dedp_program_certificate, false)
        as has_dedp_program_certificate,
    coalesce(order_stats.total_amount_paid_orders, 0) as total_amount_paid_orders
from people
inner join account_summary on people.user_pk = account_summary.user_fk
inner join platform_lists on people.user_pk = platform_lists.user_fk
left join course_stats on people.user_pk = course_stats.user_fk
left join passed_stats on people.user_pk = passed_stats.user_fk
left join certificate_stats on people.user_pk = certificate_stats.user_fk
left join order_stats on people.user_pk = order_stats.user_fk
