-- xPRO program certificates, one row per certificate.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_programcertificate') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as programcertificate_id,
    uuid as programcertificate_uuid,
    program_id,
    user_id,
    certificate_page_revision_id,
    is_revoked as programcertificate_is_revoked,
    created_on as programcertificate_created_on,
    updated_on as programcertificate_updated_on
from deduplicated
