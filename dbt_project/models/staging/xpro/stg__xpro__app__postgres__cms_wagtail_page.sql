-- xPRO Wagtail pages (raw wagtailcore_page): the page behind each CMS page, with its
-- publication dates. One row per page.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__wagtailcore_page') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as wagtail_page_id,
    path as wagtail_page_path,
    depth as wagtail_page_depth,
    numchild as wagtail_page_num_children,
    title as wagtail_page_title,
    slug as wagtail_page_slug,
    live as wagtail_page_is_live,
    has_unpublished_changes as wagtail_page_has_unpublished_changes,
    url_path as wagtail_page_url_path,
    content_type_id as contenttype_id,
    latest_revision_created_at as wagtail_page_latest_revision_created_on,
    first_published_at as wagtail_page_first_published_on,
    last_published_at as wagtail_page_last_published_on
from deduplicated
