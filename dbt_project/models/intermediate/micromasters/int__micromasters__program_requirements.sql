-- The courses of each MicroMasters program: a course in one of the program's elective sets is
-- an elective (the set says how many of its courses the program needs), any other is required.
with courses as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_course') }}
),

elective_sets as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_electiveset') }}
),

elective_courses as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_electiveset_to_course') }}
)

select
    courses.program_id,
    courses.course_id,
    {{ dbt.concat(["'course-v1:'", 'courses.course_readable_id']) }} as course_readable_id,
    courses.course_title,
    courses.course_position_in_program,
    elective_sets.electiveset_id,
    elective_sets.electiveset_title,
    elective_sets.electiveset_required_number,
    elective_sets.electiveset_id is null as programrequirement_is_required
from courses
left join elective_courses on courses.course_id = elective_courses.course_id
left join elective_sets
    on elective_courses.electiveset_id = elective_sets.electiveset_id
    and courses.program_id = elective_sets.program_id
