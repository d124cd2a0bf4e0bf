with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__ecommerce_line') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as line_id,
    order_id,
    course_key as courserun_readable_id,
    cast(price as decimal(38, 2)) as line_price,
    description as line_description,
    created_at as line_created_on,
    modified_at as line_updated_on
from deduplicated
