with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__reversion_version') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as version_id,
    cast(object_id as integer) as version_object_id,
    content_type_id as contenttype_id,
    serialized_data as version_serialized_data,
    object_repr as version_object_repr,
    revision_id
from deduplicated
