-- xPRO course CMS pages (the catalogue page of a course), one row per page; a course has at
-- most one.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_coursepage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    course_id,
    description as cms_coursepage_description,
    subhead as cms_coursepage_subhead,
    duration as cms_coursepage_duration,
    format as cms_coursepage_format,
    time_commitment as cms_coursepage_time_commitment,
    catalog_details as cms_coursepage_catalog_details,
    external_marketing_url as cms_coursepage_external_marketing_url
from deduplicated
