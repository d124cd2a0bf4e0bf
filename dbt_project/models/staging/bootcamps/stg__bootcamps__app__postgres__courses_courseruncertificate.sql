-- Bootcamp run certificates (klasses_bootcampruncertificate), one row per certificate.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__klasses_bootcampruncertificate') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courseruncertificate_id,
    uuid as courseruncertificate_uuid,
    bootcamp_run_id as courserun_id,
    user_id,
    is_revoked as courseruncertificate_is_revoked,
    case when not is_revoked then {{ dbt.concat(["'https://bootcamps.mit.edu/certificate/'", 'uuid']) }} end
        as courseruncertificate_url,
    created_on as courseruncertificate_created_on,
    updated_on as courseruncertificate_updated_on
from deduplicated
