-- MITx Online courses with their CMS catalogue page (description, length, effort, price, ...),
-- its Wagtail page (slug, url path, publication dates), its topics and its instructors (each
-- list in a text, topics by name, instructors in the page's order). A course without a page has
-- nulls there.
with courses as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_course') }}
),

pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_coursepage') }}
),

wagtail_pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_wagtail_page') }}
),

topics as (
    select
        page_topics.wagtail_page_id,
        {{ dbt.listagg('topics.coursetopic_name', "', '", 'order by topics.coursetopic_name') }}
            as course_topics
    from {{ ref('stg__mitxonline__app__postgres__cms_coursepage_topics') }} as page_topics
    inner join {{ ref('stg__mitxonline__app__postgres__courses_coursetopic') }} as topics
        on page_topics.coursetopic_id = topics.coursetopic_id
    group by page_topics.wagtail_page_id
),

instructors as (
    select * from {{ ref('int__mitxonline__page_instructors') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    courses.course_id,
    courses.course_readable_id,
    courses.course_title,
    courses.course_is_live,
    pages.coursepage_description as course_description,
    pages.coursepage_length as course_length,
    pages.coursepage_effort as course_effort,
    pages.coursepage_price as course_price,
    pages.coursepage_prerequisites as course_prerequisites,
    pages.coursepage_about as course_about,
    pages.coursepage_what_you_learn as course_what_you_learn,
    topics.course_topics,
    instructors.page_instructors as course_instructors,
    wagtail_pages.wagtail_page_slug as course_page_slug,
    wagtail_pages.wagtail_page_url_path as course_page_url_path,
    wagtail_pages.wagtail_page_is_live as course_page_is_live,
    wagtail_pages.wagtail_page_first_published_on as course_page_first_published_on,
    wagtail_pages.wagtail_page_last_published_on as course_page_last_published_on,
    courses.course_created_on,
    courses.course_updated_on
from courses
left join pages on courses.course_id = pages.course_id
left join wagtail_pages on pages.wagtail_page_id = wagtail_pages.wagtail_page_id
left join topics on pages.wagtail_page_id = topics.wagtail_page_id
left join instructors on pages.wagtail_page_id = instructors.wagtail_page_id
