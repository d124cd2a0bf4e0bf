-- edX.org learner state per course block (problem attempts and scores). Several archive files
-- may hold versions of the same row: keep the newest per (learner, course run, block) by file date.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__tables__courseware_studentmodule') }}
),

newest as (
    select * from (
        select
            *,
            row_number() over (
                partition by student_id, course_id, module_id
                order by _file_modification_date desc, modified desc, _file_path desc
            ) as _file_rank
        from source
    ) as ranked
    where _file_rank = 1
)

select
    {{ dbt.safe_cast('id', 'bigint') }} as studentmodule_id,
    {{ dbt.safe_cast('student_id', 'bigint') }} as user_id,
    course_id as courserun_readable_id,
    module_id as studentmodule_block_id,
    module_type as studentmodule_block_type,
    state as studentmodule_state,
    {{ dbt.safe_cast('grade', dbt.type_float()) }} as studentmodule_grade,
    {{ dbt.safe_cast('max_grade', dbt.type_float()) }} as studentmodule_max_grade,
    nullif(done, 'na') as studentmodule_done,
    {{ utc_timestamp_from_text('created') }} as studentmodule_created_on,
    {{ utc_timestamp_from_text('modified') }} as studentmodule_modified_on,
    _file_modification_date as studentmodule_file_modified_on
from newest
