-- Course runs traced from the IRx (edX.org BigQuery export) enrollments. IRx user ids are a
-- separate id space from the edX.org archives', so IRx is its own platform ('irx').
-- first seen = the first extraction that carried the run (read from the raw versions).
with extractions as (
    select course_id as courserun_readable_id, min(_airbyte_extracted_at) as courserun_first_seen_on
    from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__course_enrollment') }}
    group by course_id
),

enrollments as (
    select distinct courserun_readable_id
    from {{ ref('stg__irx__edxorg__bigquery__course_enrollment') }}
    where courserun_readable_id is not null
)

select
    {{ platform_name('irx') }} as platform,
    enrollments.courserun_readable_id,
    {{ course_readable_id_from_courserun('enrollments.courserun_readable_id') }} as course_readable_id,
    extractions.courserun_first_seen_on
from enrollments
left join extractions on enrollments.courserun_readable_id = extractions.courserun_readable_id
