-- xPRO certificate CMS pages, one row per page. Each is a child page of the course or program
-- page whose certificate it describes: the continuing education units it is worth and its
-- signatories (a Wagtail stream field of signatory page ids).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_certificatepage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as wagtail_page_id,
    product_name as cms_certificate_product_title,
    ceus as cms_certificate_ceus,
    signatories as cms_certificate_signatories,
    {{ json_array_size('signatories') }} as cms_certificate_signatory_count,
    institute_text as cms_certificate_institute_text,
    overrides as cms_certificate_overrides
from deduplicated
