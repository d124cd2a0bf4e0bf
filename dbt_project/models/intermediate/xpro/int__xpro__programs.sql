-- xPRO programs with the platform that delivers them (xPRO, or an external partner) and their
-- CMS catalogue page: description, duration, format, time commitment, faculty (in the faculty
-- page's order), the continuing education units of its certificate page, and the topics of its
-- courses' pages. A program without a page has nulls there; an external program has an
-- external page (cms_programpage_model).
with programs as (
    select * from {{ ref('stg__xpro__app__postgres__courses_program') }}
),

platforms as (
    select * from {{ ref('stg__xpro__app__postgres__courses_platform') }}
),

pages as (
    select * from {{ ref('int__mitxpro__catalog_pages') }}
    where page_kind = 'program'
),

-- A program's topics: every topic of its courses' pages, each once.
program_topics as (
    select
        program_id,
        {{ dbt.listagg('coursetopic_name', "', '", 'order by coursetopic_name') }}
            as program_topics
    from (
        select distinct courses.program_id, topics.coursetopic_name
        from {{ ref('stg__xpro__app__postgres__courses_course') }} as courses
        inner join {{ ref('stg__xpro__app__postgres__cms_coursepage') }} as course_pages
            on courses.course_id = course_pages.course_id
        inner join {{ ref('stg__xpro__app__postgres__cms_coursepage_topics') }} as page_topics
            on course_pages.wagtail_page_id = page_topics.wagtail_page_id
        inner join {{ ref('stg__xpro__app__postgres__courses_coursetopic') }} as topics
            on page_topics.coursetopic_id = topics.coursetopic_id
        where courses.program_id is not null
    ) as course_topics
    group by program_id
)

select
    {{ platform_name('xpro') }} as platform,
    programs.program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.short_program_code,
    programs.program_is_live,
    programs.program_is_external,
    platforms.platform_name as partner_platform_name,
    pages.page_model as cms_programpage_model,
    pages.page_description as cms_programpage_description,
    pages.page_subhead as cms_programpage_subhead,
    pages.page_catalog_details as cms_programpage_catalog_details,
    pages.page_duration as cms_programpage_duration,
    pages.page_format as cms_programpage_format,
    pages.page_time_commitment as cms_programpage_time_commitment,
    pages.page_ceus as cms_certificate_ceus,
    program_topics.program_topics,
    pages.page_faculty_names as program_instructors,
    pages.page_slug as cms_programpage_slug,
    pages.page_url_path as cms_programpage_url_path,
    pages.page_is_live as cms_programpage_is_live,
    programs.program_created_on,
    programs.program_updated_on
from programs
left join platforms on programs.platform_id = platforms.platform_id
left join pages on programs.program_id = pages.program_id
left join program_topics on programs.program_id = program_topics.program_id
