-- Every saved version of a residential learner's block state. Open edX moved this history
-- from courseware_studentmodulehistory to the "extended" table; the two hold disjoint rows,
-- so both are read (the old table for the years before the move).
with source as (
    select
        id, student_module_id, state, grade, max_grade, created,
        _airbyte_extracted_at, _airbyte_raw_id
    from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__coursewarehistoryextended_studentmodulehistoryextended') }}

    union all

    select
        id, student_module_id, state, grade, max_grade, created,
        _airbyte_extracted_at, _airbyte_raw_id
    from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__courseware_studentmodulehistory') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as studentmodulehistoryextended_id,
    student_module_id as studentmodule_id,
    state as studentmodule_state_data,
    grade as studentmodule_problem_grade,
    max_grade as studentmodule_problem_max_grade,
    created as studentmodule_created_on
from deduplicated
