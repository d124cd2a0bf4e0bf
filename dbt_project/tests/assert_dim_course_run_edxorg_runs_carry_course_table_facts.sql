-- edX.org runs named by edX.org's course tables (discovery report, IRx course list) show their
-- title and start date in dim_course_run, as those tables give them (discovery first).
with course_tables as (
    select courserun_readable_id, courserun_title, courserun_start_on
    from {{ ref('stg__edxorg__api__courserun') }}
    union all
    select irx.courserun_readable_id, irx.courserun_title,
        cast(irx.courserun_start_date as {{ type_timestamptz() }}) as courserun_start_on
    from {{ ref('stg__edxorg__bigquery__mitx_courserun') }} as irx
    where irx.courserun_platform = 'edxorg'
        and irx.courserun_readable_id not in (
            select courserun_readable_id from {{ ref('stg__edxorg__api__courserun') }}
        )
)

select course_tables.courserun_readable_id, runs.courserun_title, runs.courserun_start_on
from course_tables
left join {{ ref('dim_course_run') }} as runs
    on runs.platform_readable_id = 'edxorg'
    and runs.is_current
    and course_tables.courserun_readable_id = runs.courserun_readable_id
where runs.courserun_pk is null
    or runs.courserun_title is distinct from course_tables.courserun_title
    or runs.courserun_start_on is distinct from course_tables.courserun_start_on
