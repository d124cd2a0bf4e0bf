-- MITx Online course CMS pages, one row per page (a course has at most one).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__cms_coursepage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    course_id,
    description as coursepage_description,
    length as coursepage_length,
    effort as coursepage_effort,
    price as coursepage_price,
    prerequisites as coursepage_prerequisites,
    about as coursepage_about,
    what_you_learn as coursepage_what_you_learn
from deduplicated
