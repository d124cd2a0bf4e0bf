-- xPRO program CMS pages (the catalogue page of a program), one row per page; a program has at
-- most one.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_programpage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    program_id,
    description as cms_programpage_description,
    subhead as cms_programpage_subhead,
    duration as cms_programpage_duration,
    format as cms_programpage_format,
    time_commitment as cms_programpage_time_commitment,
    catalog_details as cms_programpage_catalog_details,
    external_marketing_url as cms_programpage_external_marketing_url,
    featured as cms_programpage_is_featured
from deduplicated
