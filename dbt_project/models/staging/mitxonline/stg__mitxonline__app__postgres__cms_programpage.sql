-- MITx Online program CMS pages, one row per page.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__cms_programpage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    program_id,
    description as programpage_description,
    length as programpage_length,
    effort as programpage_effort,
    price as programpage_price,
    prerequisites as programpage_prerequisites,
    what_you_learn as programpage_what_you_learn
from deduplicated
