-- What MITx Online and xPRO sell, one row per (platform, product): every MITx Online course
-- run (with its product, if it has one) and program product, and every xPRO course-run and
-- program product, with the run's dates, pace and liveness. MITx Online's catalogue fields
-- come from its CMS: a course run's length, effort, topics and instructors from its course's
-- page, a program's name, length, effort and instructors from the program and its page.
-- xPRO's come from its CMS too: a course run's from its course's page, a program's from the
-- program's page (duration, time commitment, format as delivery, faculty as instructors, the
-- certificate page's continuing education units), topics from the course pages.
with mitxonline_products as (
    select * from {{ ref('int__mitxonline__ecommerce_product') }}
),

mitxonline_runs as (
    select * from {{ ref('int__mitxonline__course_runs') }}
),

mitxonline_programs as (
    select * from {{ ref('int__mitxonline__programs') }}
),

mitxonline_courses as (
    select * from {{ ref('int__mitxonline__courses') }}
),

-- A run may have had several products (a superseded price); keep the active, newest one.
mitxonline_run_products as (
    select * from (
        select
            *,
            row_number() over (
                partition by courserun_id
                order by product_is_active desc, product_created_on desc, product_id desc
            ) as recency
        from mitxonline_products
        where courserun_id is not null
    ) as ranked
    where recency = 1
),

mitxonline as (
    select
        {{ platform_name('mitxonline') }} as product_platform,
        runs.courserun_readable_id as product_readable_id,
        runs.courserun_title as product_name,
        products.product_id,
        'course run' as product_type,
        products.product_description,
        products.product_price as list_price,
        products.product_is_active,
        false as product_is_private,
        products.product_created_on,
        runs.courserun_start_on as start_on,
        runs.courserun_end_on as end_on,
        runs.courserun_enrollment_start_on as enrollment_start_on,
        runs.courserun_enrollment_end_on as enrollment_end_on,
        runs.courserun_upgrade_deadline as upgrade_deadline,
        case when runs.courserun_is_self_paced then 'Self-paced' else 'Instructor-paced' end
            as pace,
        courses.course_length as duration,
        courses.course_effort as time_commitment,
        'Certificate of Completion' as certification_type,
        'Online' as delivery,
        cast(null as {{ dbt.type_string() }}) as continuing_education_credits,
        courses.course_topics as topics,
        courses.course_instructors as instructors,
        'MITx' as offered_by,
        coalesce(runs.courserun_is_live, false) as is_live
    from mitxonline_runs as runs
    left join mitxonline_run_products as products on runs.courserun_id = products.courserun_id
    left join mitxonline_courses as courses on runs.course_id = courses.course_id

    union all

    select
        {{ platform_name('mitxonline') }} as product_platform,
        products.program_readable_id as product_readable_id,
        programs.program_title as product_name,
        products.product_id,
        'program' as product_type,
        products.product_description,
        products.product_price as list_price,
        products.product_is_active,
        false as product_is_private,
        products.product_created_on,
        cast(null as {{ type_timestamptz() }}) as start_on,
        cast(null as {{ type_timestamptz() }}) as end_on,
        cast(null as {{ type_timestamptz() }}) as enrollment_start_on,
        cast(null as {{ type_timestamptz() }}) as enrollment_end_on,
        cast(null as {{ type_timestamptz() }}) as upgrade_deadline,
        cast(null as {{ dbt.type_string() }}) as pace,
        programs.program_length as duration,
        programs.program_effort as time_commitment,
        'Program Certificate' as certification_type,
        'Online' as delivery,
        cast(null as {{ dbt.type_string() }}) as continuing_education_credits,
        cast(null as {{ dbt.type_string() }}) as topics,
        programs.program_instructors as instructors,
        'MITx' as offered_by,
        products.product_is_active as is_live
    from mitxonline_products as products
    left join mitxonline_programs as programs
        on products.program_readable_id = programs.program_readable_id
    where products.product_type = 'program'
),

xpro_runs as (
    select * from {{ ref('int__xpro__course_runs') }}
),

xpro_courses as (
    select * from {{ ref('int__mitxpro__courses') }}
),

xpro_programs as (
    select * from {{ ref('int__xpro__programs') }}
),

xpro as (
    select
        {{ platform_name('xpro') }} as product_platform,
        products.product_readable_id,
        coalesce(runs.courserun_title, products.product_description) as product_name,
        products.product_id,
        case when products.product_type = 'program' then 'program run'
            else products.product_type end as product_type,
        products.product_description,
        products.product_list_price as list_price,
        products.product_is_active,
        products.product_is_private,
        products.product_created_on,
        runs.courserun_start_on as start_on,
        runs.courserun_end_on as end_on,
        cast(null as {{ type_timestamptz() }}) as enrollment_start_on,
        cast(null as {{ type_timestamptz() }}) as enrollment_end_on,
        cast(null as {{ type_timestamptz() }}) as upgrade_deadline,
        cast(null as {{ dbt.type_string() }}) as pace,
        coalesce(courses.cms_coursepage_duration, programs.cms_programpage_duration)
            as duration,
        coalesce(courses.cms_coursepage_time_commitment, programs.cms_programpage_time_commitment)
            as time_commitment,
        'Professional Certificate' as certification_type,
        coalesce(courses.cms_coursepage_format, programs.cms_programpage_format, 'Online')
            as delivery,
        coalesce(courses.cms_certificate_ceus, programs.cms_certificate_ceus)
            as continuing_education_credits,
        coalesce(courses.course_topics, programs.program_topics) as topics,
        coalesce(courses.course_instructors, programs.program_instructors) as instructors,
        'xPro' as offered_by,
        coalesce(runs.courserun_is_live, products.product_is_active, false) as is_live
    from {{ ref('int__mitxpro__ecommerce_product') }} as products
    left join xpro_runs as runs on products.courserun_id = runs.courserun_id
    left join xpro_courses as courses on runs.course_id = courses.course_id
    left join xpro_programs as programs on products.program_id = programs.program_id
    where products.product_type in ('course run', 'program')
),

products as (
    select * from mitxonline
    union all
    select * from xpro
)

select
    product_platform as platform,
    product_platform,
    product_readable_id,
    product_name,
    product_id,
    product_type,
    product_description,
    list_price,
    product_is_active,
    product_is_private,
    product_created_on,
    start_on,
    end_on,
    enrollment_start_on,
    enrollment_end_on,
    upgrade_deadline,
    duration,
    time_commitment,
    certification_type,
    delivery,
    continuing_education_credits,
    pace,
    topics,
    instructors,
    offered_by,
    is_live
from products
