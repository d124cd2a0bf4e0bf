-- xPRO program CMS pages (the catalogue page of a program), one row per page and at most one
-- per program: the app's program pages, and its external program pages (a program a partner
-- delivers), told apart by cms_programpage_model. A program with both keeps its program page.
{%- set columns = [
    'page_ptr_id', 'program_id', 'description', 'subhead', 'duration', 'format',
    'time_commitment', 'catalog_details', 'external_marketing_url', 'featured',
] %}
with programpage as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_programpage') }}
),

externalprogrampage as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_externalprogrampage') }}
),

deduplicated_programpage as ({{ deduplicate_raw_table('programpage', 'page_ptr_id') }}),

deduplicated_externalprogrampage as ({{ deduplicate_raw_table('externalprogrampage', 'page_ptr_id') }}),

pages as (
    select {{ columns | join(', ') }}, 'cms_programpage' as page_model
    from deduplicated_programpage
    union all
    select {{ columns | join(', ') }}, 'cms_externalprogrampage' as page_model
    from deduplicated_externalprogrampage as external_pages
    where not exists (
        select 1 from deduplicated_programpage
        where deduplicated_programpage.program_id = external_pages.program_id
    )
)

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
    featured as cms_programpage_is_featured,
    page_model as cms_programpage_model
from pages
