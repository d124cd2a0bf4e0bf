{#-
  Staging for the Wagtail CMS tables MITx Online and xPRO share (same Django models, same
  shape): each app's model calls the macro with its raw table.
-#}

{#- Wagtail pages: the page behind each CMS page, its place in the tree, its publication. -#}
{% macro stg_cms_wagtail_page(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
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
{%- endmacro %}

{#- Course topics (courses_coursetopic): a subtopic names its parent topic. -#}
{% macro stg_cms_coursetopic(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursetopic_id,
    name as coursetopic_name,
    parent_id as coursetopic_parent_id,
    created_on as coursetopic_created_on,
    updated_on as coursetopic_updated_on
from deduplicated
{%- endmacro %}

{#- The topics tagged on course pages, one row per (page, topic). -#}
{% macro stg_cms_coursepage_topics(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursepage_topic_id,
    coursepage_id as wagtail_page_id,
    coursetopic_id
from deduplicated
{%- endmacro %}

{#-
  xPRO's catalogue pages of a kind ('course' or 'program'): its own pages (cms_<kind>page) and
  its external pages (cms_external<kind>page, a product a partner delivers), the newest
  extraction of each, the given raw columns and page_model (which table). A product with both
  keeps its own page.
-#}
{% macro xpro_catalog_pages(kind, columns) -%}
with own_pages as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_' ~ kind ~ 'page') }}
),

external_pages as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_external' ~ kind ~ 'page') }}
),

deduplicated_own as ({{ deduplicate_raw_table('own_pages', 'page_ptr_id') }}),

deduplicated_external as ({{ deduplicate_raw_table('external_pages', 'page_ptr_id') }})

select {{ columns | join(', ') }}, 'cms_{{ kind }}page' as page_model
from deduplicated_own
union all
select {{ columns | join(', ') }}, 'cms_external{{ kind }}page' as page_model
from deduplicated_external
where not exists (
    select 1 from deduplicated_own
    where deduplicated_own.{{ kind }}_id = deduplicated_external.{{ kind }}_id
)
{%- endmacro %}
