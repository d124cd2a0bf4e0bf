with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__django_content_type') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as contenttype_id,
    app_label as contenttype_app_label,
    model as contenttype_model
from deduplicated
