-- edX.org enrollments in MIT course runs (platform "edX.org"). Several archive files may hold
-- versions of the same enrollment: keep the newest per (user, course run) by file date.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__tables__student_courseenrollment') }}
),

newest as (
    select * from (
        select
            *,
            row_number() over (
                partition by user_id, course_id
                order by _file_modification_date desc, _file_path desc
            ) as _file_rank
        from source
    ) as ranked
    where _file_rank = 1
)

select
    {{ dbt.safe_cast('id', 'bigint') }} as courserunenrollment_id,
    {{ dbt.safe_cast('user_id', 'bigint') }} as user_id,
    course_id as courserun_readable_id,
    case
        when course_id like 'course-v1:%'
            then {{ dbt.concat([dbt.split_part('course_id', "'+'", 1), "'+'", dbt.split_part('course_id', "'+'", 2)]) }}
    end as course_readable_id,
    is_active = '1' as courserunenrollment_is_active,
    mode as courserunenrollment_enrollment_mode,
    {{ utc_timestamp_from_text('created') }} as courserunenrollment_created_on,
    _file_modification_date as courserunenrollment_file_modified_on
from newest
