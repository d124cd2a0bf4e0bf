-- Courses across platforms, one row per (platform, course readable id). edX.org courses are
-- those of its runs (titled by their runs; else MicroMasters' title when known).
with courses as (
    select 'mitxonline' as platform_readable_id, course_readable_id, course_title, course_is_live
    from {{ ref('stg__mitxonline__app__postgres__courses_course') }}

    union all

    select 'xpro' as platform_readable_id, course_readable_id, course_title, course_is_live
    from {{ ref('stg__xpro__app__postgres__courses_course') }}

    union all

    select
        'bootcamps' as platform_readable_id,
        course_readable_id,
        course_title,
        cast(null as boolean) as course_is_live
    from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamp') }}

    union all

    select
        'residential' as platform_readable_id,
        course_readable_id,
        max(courserun_title) as course_title,
        cast(null as boolean) as course_is_live
    from {{ ref('int__mitxresidential__courseruns') }}
    group by course_readable_id

    union all

    select
        'edxorg' as platform_readable_id,
        course_readable_id,
        max(courserun_title) as course_title,
        cast(null as boolean) as course_is_live
    from {{ ref('int__edxorg__mitx_courseruns') }}
    where course_readable_id is not null
    group by course_readable_id
),

micromasters_courses as (
    select
        {{ dbt.concat(["'course-v1:'", 'course_readable_id']) }} as course_readable_id,
        max(course_title) as course_title
    from {{ ref('stg__micromasters__app__postgres__courses_course') }}
    group by course_readable_id
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['courses.platform_readable_id', 'courses.course_readable_id']) }}
        as course_pk,
    platforms.platform_pk as platform_fk,
    platforms.platform_name as platform,
    courses.platform_readable_id,
    courses.course_readable_id,
    coalesce(courses.course_title, micromasters_courses.course_title) as course_title,
    courses.course_is_live,
    micromasters_courses.course_readable_id is not null as course_is_micromasters
from courses
inner join platforms on courses.platform_readable_id = platforms.platform_readable_id
left join micromasters_courses on courses.course_readable_id = micromasters_courses.course_readable_id
