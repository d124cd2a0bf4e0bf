-- xPRO courses with their CMS catalogue page (description, duration, format, time commitment),
-- its topics, its faculty (names in the faculty page's order), the continuing education units
-- of its certificate page, and its Wagtail page (slug, url path, publication dates). A course
-- without a page has nulls there. A course a partner delivers has an external page
-- (cms_coursepage_model).
with courses as (
    select * from {{ ref('stg__xpro__app__postgres__courses_course') }}
),

pages as (
    select * from {{ ref('int__mitxpro__catalog_pages') }}
    where page_kind = 'course'
)

select
    {{ platform_name('xpro') }} as platform,
    courses.course_id,
    courses.program_id,
    courses.course_readable_id,
    courses.course_title,
    courses.course_is_live,
    pages.page_model as cms_coursepage_model,
    pages.page_description as cms_coursepage_description,
    pages.page_subhead as cms_coursepage_subhead,
    pages.page_catalog_details as cms_coursepage_catalog_details,
    pages.page_duration as cms_coursepage_duration,
    pages.page_format as cms_coursepage_format,
    pages.page_time_commitment as cms_coursepage_time_commitment,
    pages.page_ceus as cms_certificate_ceus,
    pages.page_topics as course_topics,
    pages.page_faculty_names as course_instructors,
    pages.page_slug as cms_coursepage_slug,
    pages.page_url_path as cms_coursepage_url_path,
    pages.page_is_live as cms_coursepage_is_live,
    pages.page_first_published_on as cms_coursepage_first_published_on,
    pages.page_last_published_on as cms_coursepage_last_published_on,
    courses.course_created_on,
    courses.course_updated_on
from courses
left join pages on courses.course_id = pages.course_id
