-- Course-run enrollments across platforms with the run, the course, the learner's account on
-- that platform, the course grade, and the certificate and orders of the enrollment. Grain:
-- one row per course enrollment and order line that paid for it (one row for an enrollment
-- without one); combined_orders_hash_id is the row's key.
with enrollments as (
    select * from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

courses as (
    select * from {{ ref('dim_course') }}
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

-- Course grades, per learner (person) and run.
grades as (
    select
        courserun_fk,
        user_fk,
        max(coursegrade_grade) as courserungrade_grade,
        bool_or(coursegrade_is_passing) as courserungrade_is_passing
    from (
        select
            courserun_fk,
            user_fk,
            grade_value as coursegrade_grade,
            is_passing as coursegrade_is_passing
        from {{ ref('tfact_grade') }}

        union all

        select
            course_runs.courserun_pk as courserun_fk,
            accounts.user_fk,
            grades.courserungrade_grade as coursegrade_grade,
            grades.courserungrade_is_passing as coursegrade_is_passing
        from {{ ref('int__mitxresidential__courserun_grades') }} as grades
        inner join course_runs
            on course_runs.platform_readable_id = 'residential'
            and grades.courserun_readable_id = course_runs.courserun_readable_id
        inner join accounts
            on accounts.platform_readable_id = 'residential'
            and accounts.user_account_source = 'openedx'
            and grades.user_id = accounts.user_id
    ) as all_grades
    where courserun_fk is not null and user_fk is not null
    group by courserun_fk, user_fk
),

-- Course-run certificates in force, one per learner (person) and run: the latest issued.
certificates as (
    select
        courserun_fk,
        user_fk,
        certificate_created_on as courseruncertificate_created_on,
        certificate_issued_on as courseruncertificate_issued_on,
        certificate_url as courseruncertificate_url,
        certificate_uuid as courseruncertificate_uuid
    from (
        select
            *,
            row_number() over (
                partition by courserun_fk, user_fk
                order by certificate_issued_on desc, certificate_key
            ) as _rank
        from {{ ref('tfact_certificate') }}
        where certificate_scope = 'course'
            and not certificate_is_revoked
            and courserun_fk is not null
            and user_fk is not null
    ) as ranked
    where _rank = 1
),

-- Order lines that paid for a run (fulfilled, or refunded after), per learner (person) and
-- run. A run's id is its platform's, so a MicroMasters line joins the edX.org or MITx Online
-- enrollment it paid for.
order_lines as (
    select
        orders.courserun_fk,
        orders.user_fk,
        orders.platform_readable_id,
        orders.order_id,
        orders.line_id,
        orders.order_reference_number,
        discounts.discount_code as coupon_code,
        orders.order_created_on
    from {{ ref('tfact_order') }} as orders
    left join {{ ref('dim_discount') }} as discounts on orders.discount_fk = discounts.discount_pk
    where orders.order_state in ('fulfilled', 'refunded')
        and orders.courserun_fk is not null
        and orders.user_fk is not null
)

select
    {{ generate_surrogate_key([
        'enrollments.enrollment_key', 'order_lines.platform_readable_id', 'order_lines.order_id',
        'order_lines.line_id',
    ]) }} as combined_orders_hash_id,
    enrollments.platform,
    enrollments.enrollment_id as courserunenrollment_id,
    courses.course_readable_id,
    courses.course_title,
    course_runs.courserun_id,
    enrollments.courserun_readable_id,
    course_runs.courserun_title,
    course_runs.courserun_start_on,
    course_runs.courserun_end_on,
    course_runs.courserun_upgrade_deadline,
    -- Running now: started, and not yet ended (or no end date).
    coalesce(
        course_runs.courserun_start_on <= current_timestamp
        and (course_runs.courserun_end_on is null
            or course_runs.courserun_end_on > current_timestamp),
        false
    ) as courserun_is_current,
    enrollments.enrollment_created_on as courserunenrollment_created_on,
    enrollments.enrollment_mode as courserunenrollment_enrollment_mode,
    enrollments.enrollment_status as courserunenrollment_enrollment_status,
    enrollments.enrollment_is_active as courserunenrollment_is_active,
    enrollments.enrollment_is_edx_enrolled as courserunenrollment_is_edx_enrolled,
    -- The verified track: the paying order's time where one is known, else the enrollment's
    -- own time for enrollments created verified.
    case
        when enrollments.enrollment_mode = 'verified'
            then coalesce(order_lines.order_created_on, enrollments.enrollment_created_on)
    end as courserunenrollment_upgraded_on,
    grades.courserungrade_grade,
    grades.courserungrade_is_passing,
    certificates.courseruncertificate_uuid is not null as courseruncertificate_is_earned,
    certificates.courseruncertificate_created_on,
    certificates.courseruncertificate_issued_on,
    certificates.courseruncertificate_url,
    certificates.courseruncertificate_uuid,
    order_lines.order_id,
    order_lines.line_id,
    order_lines.order_reference_number,
    order_lines.coupon_code,
    enrollments.user_id,
    enrollments.user_fk as user_hashed_id,
    accounts.user_username,
    accounts.user_email,
    accounts.user_full_name,
    accounts.user_country as user_country_code,
    -- The profile of the account the learner enrolled with, as the platform holds it.
    accounts.user_company,
    accounts.user_gender,
    accounts.user_highest_education
from enrollments
left join course_runs on enrollments.courserun_fk = course_runs.courserun_pk
left join courses on course_runs.course_fk = courses.course_pk
left join accounts
    on enrollments.platform_readable_id = accounts.platform_readable_id
    and enrollments.user_account_source = accounts.user_account_source
    and enrollments.user_id = accounts.user_id
left join grades
    on enrollments.courserun_fk = grades.courserun_fk
    and enrollments.user_fk = grades.user_fk
left join certificates
    on enrollments.courserun_fk = certificates.courserun_fk
    and enrollments.user_fk = certificates.user_fk
left join order_lines
    on enrollments.courserun_fk = order_lines.courserun_fk
    and enrollments.user_fk = order_lines.user_fk
