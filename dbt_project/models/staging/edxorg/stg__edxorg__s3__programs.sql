-- Programs on edX.org (MicroMasters, XSeries, ... of every institution), one row per program.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__program') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'uuid') }})

select
    uuid as program_uuid,
    title as program_title,
    subtitle as program_subtitle,
    type as program_type,
    status as program_status,
    authoring_organizations as program_organization,
    data_modified_timestamp as program_updated_on
from deduplicated
