-- MITx Online program requirement trees (root -> operator -> course nodes), one row per node.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_programrequirement') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as programrequirement_id,
    program_id,
    course_id,
    path as programrequirement_path,
    depth as programrequirement_depth,
    node_type as programrequirement_node_type,
    numchild as programrequirement_numchild,
    title as programrequirement_title,
    operator as programrequirement_operator,
    cast(operator_value as integer) as programrequirement_operator_value
from deduplicated
