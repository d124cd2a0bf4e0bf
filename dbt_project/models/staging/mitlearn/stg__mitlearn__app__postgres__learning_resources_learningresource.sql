with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitlearn__app__postgres__learning_resources_learningresource') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as learningresource_id,
    readable_id as learningresource_readable_id,
    title as learningresource_title,
    resource_type as learningresource_resource_type,
    platform as learningresource_platform,
    published as learningresource_is_published,
    created_on as learningresource_created_on,
    updated_on as learningresource_updated_on
from deduplicated
