-- MITx Online programs with their CMS page (description, length, effort, price, ...) and its
-- Wagtail page (slug, url path, publication dates), and the instructors it lists.
with programs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_program') }}
),

pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_programpage') }}
),

wagtail_pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_wagtail_page') }}
),

instructors as (
    select * from {{ ref('int__mitxonline__page_instructors') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    programs.program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.program_name,
    programs.program_track,
    programs.program_type,
    programs.program_certification_type,
    programs.program_is_micromasters,
    programs.program_is_dedp,
    programs.program_availability,
    programs.program_is_live,
    pages.programpage_price as program_price,
    pages.programpage_length as program_length,
    pages.programpage_effort as program_effort,
    pages.programpage_description as program_description,
    pages.programpage_what_you_learn as program_what_you_learn,
    pages.programpage_prerequisites as program_prerequisites,
    instructors.page_instructors as program_instructors,
    wagtail_pages.wagtail_page_slug as program_page_slug,
    wagtail_pages.wagtail_page_url_path as program_page_url_path,
    wagtail_pages.wagtail_page_is_live as program_page_is_live,
    wagtail_pages.wagtail_page_first_published_on as program_page_first_published_on,
    wagtail_pages.wagtail_page_last_published_on as program_page_last_published_on,
    programs.program_created_on,
    programs.program_updated_on
from programs
left join pages on programs.program_id = pages.program_id
left join wagtail_pages on pages.wagtail_page_id = wagtail_pages.wagtail_page_id
left join instructors on pages.wagtail_page_id = instructors.wagtail_page_id
