with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitlearn__app__postgres__learning_resources_learningresourcerun') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as learningresourcerun_id,
    learning_resource_id as learningresource_id,
    -- the run's key on its platform, e.g. course-v1:MITxT+14.100x+1T2023
    run_id as learningresourcerun_readable_id,
    title as learningresourcerun_title,
    start_date as learningresourcerun_start_on,
    end_date as learningresourcerun_end_on,
    created_on as learningresourcerun_created_on,
    updated_on as learningresourcerun_updated_on
from deduplicated
