with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__ecommerce_line') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as line_id,
    order_id,
    bootcamp_run_id as courserun_id,
    cast(price as decimal(38, 2)) as line_price,
    description as line_description,
    created_on as line_created_on,
    updated_on as line_updated_on
from deduplicated
