-- xPRO course CMS pages (the catalogue page of a course), one row per page and at most one per
-- course: the app's course pages, and its external course pages (a course a partner delivers),
-- told apart by cms_coursepage_model. A course with both keeps its course page.
{%- set columns = [
    'page_ptr_id', 'course_id', 'description', 'subhead', 'duration', 'format',
    'time_commitment', 'catalog_details', 'external_marketing_url',
] %}
with coursepage as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_coursepage') }}
),

externalcoursepage as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_externalcoursepage') }}
),

deduplicated_coursepage as ({{ deduplicate_raw_table('coursepage', 'page_ptr_id') }}),

deduplicated_externalcoursepage as ({{ deduplicate_raw_table('externalcoursepage', 'page_ptr_id') }}),

pages as (
    select {{ columns | join(', ') }}, 'cms_coursepage' as page_model
    from deduplicated_coursepage
    union all
    select {{ columns | join(', ') }}, 'cms_externalcoursepage' as page_model
    from deduplicated_externalcoursepage as external_pages
    where not exists (
        select 1 from deduplicated_coursepage
        where deduplicated_coursepage.course_id = external_pages.course_id
    )
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
