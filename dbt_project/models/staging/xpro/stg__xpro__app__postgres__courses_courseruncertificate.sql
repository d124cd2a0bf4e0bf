-- xPRO course-run certificates, one row per certificate.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_courseruncertificate') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courseruncertificate_id,
    uuid as courseruncertificate_uuid,
    course_run_id as courserun_id,
    user_id,
    certificate_page_revision_id,
    is_revoked as courseruncertificate_is_revoked,
    case when not is_revoked then {{ dbt.concat(["'https://xpro.mit.edu/certificate/'", 'uuid']) }} end
        as courseruncertificate_url,
    created_on as courseruncertificate_created_on,
    updated_on as courseruncertificate_updated_on
from deduplicated
