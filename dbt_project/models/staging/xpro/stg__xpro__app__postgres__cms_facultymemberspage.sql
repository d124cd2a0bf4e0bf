-- xPRO faculty CMS pages, one row per page. Each is a child page of the course or program page
-- whose faculty it lists; the members are a Wagtail stream field (JSON blocks, each with the
-- member's name and description in its value), in the page's order.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_facultymemberspage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    heading as cms_facultymemberspage_heading,
    subhead as cms_facultymemberspage_subhead,
    members as cms_facultymemberspage_faculty,
    {{ json_array_size('members') }} as cms_facultymemberspage_faculty_count,
    {{ join_json_array_field('members', 'value.name', "', '") }}
        as cms_facultymemberspage_faculty_names
from deduplicated
