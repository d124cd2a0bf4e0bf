-- xPRO course CMS pages (the catalogue page of a course), one row per page and at most one per
-- course: the app's course pages, and its external course pages (a course a partner delivers),
-- told apart by cms_coursepage_model. A course with both keeps its course page.
with pages as (
    {{ xpro_catalog_pages('course', [
        'page_ptr_id', 'course_id', 'description', 'subhead', 'duration', 'format',
        'time_commitment', 'catalog_details', 'external_marketing_url',
    ]) }}
)

select
    page_ptr_id as wagtail_page_id,
    course_id,
    description as cms_coursepage_description,
    subhead as cms_coursepage_subhead,
    duration as cms_coursepage_duration,
    format as cms_coursepage_format,
    time_commitment as cms_coursepage_time_commitment,
    catalog_details as cms_coursepage_catalog_details,
    external_marketing_url as cms_coursepage_external_marketing_url,
    page_model as cms_coursepage_model
from pages
