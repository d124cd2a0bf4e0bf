with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_programrunline') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as programrunline_id,
    line_id,
    program_run_id as programrun_id,
    created_on as programrunline_created_on,
    updated_on as programrunline_updated_on
from deduplicated
