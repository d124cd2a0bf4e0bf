-- MITx Online programs, one row per program.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_program') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as program_id,
    live as program_is_live,
    title as program_title,
    readable_id as program_readable_id,
    availability as program_availability,
    case when program_type like 'MicroMasters%' then 'MicroMasters' else program_type end as program_type,
    program_type like 'MicroMasters%' as program_is_micromasters,
    case
        when program_type like 'MicroMasters%' then 'MicroMasters Credential'
        else 'Certificate of Completion'
    end as program_certification_type,
    -- MicroMasters titles read '<program name>: <track>'.
    case
        when program_type like 'MicroMasters%' and title like '%: %'
            then {{ dbt.split_part('title', "': '", 1) }}
        else title
    end as program_name,
    case
        when program_type like 'MicroMasters%' and title like '%: %'
            then {{ dbt.split_part('title', "': '", 2) }}
    end as program_track,
    readable_id like '%DEDP%' as program_is_dedp,
    created_on as program_created_on,
    updated_on as program_updated_on
from deduplicated
