with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__odl_video__api__collections') }}
)

select
    "key" as collection_key,
    title as collection_title,
    description as collection_description,
    owner as collection_owner,
    edx_course_id as courserun_readable_id,
    is_logged_in_only as collection_is_logged_in_only,
    created_at as collection_created_on,
    updated_at as collection_updated_on
from source
