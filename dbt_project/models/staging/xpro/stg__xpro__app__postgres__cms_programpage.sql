-- xPRO program CMS pages (the catalogue page of a program), one row per page and at most one
-- per program: the app's program pages, and its external program pages (a program a partner
-- delivers), told apart by cms_programpage_model. A program with both keeps its program page.
with pages as (
    {{ xpro_catalog_pages('program', [
        'page_ptr_id', 'program_id', 'description', 'subhead', 'duration', 'format',
        'time_commitment', 'catalog_details', 'external_marketing_url', 'featured',
    ]) }}
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
