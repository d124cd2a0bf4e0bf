-- Residential MITx learners' state of each course block (problems: their current grade).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__courseware_studentmodule') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as studentmodule_id,
    student_id as user_id,
    course_id as courserun_readable_id,
    module_id as coursestructure_block_id,
    module_type as coursestructure_block_category,
    state as studentmodule_state_data,
    grade as studentmodule_problem_grade,
    max_grade as studentmodule_problem_max_grade,
    created as studentmodule_created_on,
    modified as studentmodule_updated_on
from deduplicated
