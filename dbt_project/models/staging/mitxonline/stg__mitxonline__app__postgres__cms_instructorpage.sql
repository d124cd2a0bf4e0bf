-- MITx Online instructor CMS pages, one row per instructor.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__cms_instructorpage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    instructor_name,
    instructor_title,
    instructor_bio_short,
    instructor_bio_long
from deduplicated
