-- The topics tagged on xPRO's course pages and external course pages, one row per (page,
-- topic); cms_coursepage_model says which kind of page.
with coursepage_topics as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_coursepage_topics') }}
),

externalcoursepage_topics as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_externalcoursepage_topics') }}
),

deduplicated_coursepage_topics as ({{ deduplicate_raw_table('coursepage_topics', 'id') }}),

deduplicated_externalcoursepage_topics as (
    {{ deduplicate_raw_table('externalcoursepage_topics', 'id') }}
)

select
    coursepage_id as wagtail_page_id,
    coursetopic_id,
    'cms_coursepage' as cms_coursepage_model
from deduplicated_coursepage_topics
union all
select
    externalcoursepage_id as wagtail_page_id,
    coursetopic_id,
    'cms_externalcoursepage' as cms_coursepage_model
from deduplicated_externalcoursepage_topics
