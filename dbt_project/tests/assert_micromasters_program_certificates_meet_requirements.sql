-- A derived MicroMasters program certificate means the learner holds a course certificate for
-- every required course of the program and for at least the required number of courses of
-- each of its elective sets; and a learner who meets that has the certificate.
with requirements as (
    select * from {{ ref('int__micromasters__program_requirements') }}
),

certified_courses as (
    select distinct user_id, course_id
    from {{ ref('stg__micromasters__app__postgres__grades_coursecertificate') }}
),

learners as (
    select distinct certified_courses.user_id, requirements.program_id
    from certified_courses
    inner join requirements on certified_courses.course_id = requirements.course_id
),

shortfalls as (
    -- required courses the learner lacks
    select learners.user_id, learners.program_id, count(*) as missing
    from learners
    inner join requirements
        on learners.program_id = requirements.program_id
        and requirements.programrequirement_is_required
    left join certified_courses
        on learners.user_id = certified_courses.user_id
        and requirements.course_id = certified_courses.course_id
    where certified_courses.course_id is null
    group by learners.user_id, learners.program_id

    union all

    -- elective sets where the learner holds fewer than the required number
    select learners.user_id, learners.program_id, 1 as missing
    from learners
    inner join requirements
        on learners.program_id = requirements.program_id
        and not requirements.programrequirement_is_required
    left join certified_courses
        on learners.user_id = certified_courses.user_id
        and requirements.course_id = certified_courses.course_id
    group by learners.user_id, learners.program_id, requirements.electiveset_id,
        requirements.electiveset_required_number
    having count(certified_courses.course_id) < requirements.electiveset_required_number
),

expected as (
    select learners.user_id, learners.program_id
    from learners
    left join shortfalls
        on learners.user_id = shortfalls.user_id
        and learners.program_id = shortfalls.program_id
    where shortfalls.user_id is null
),

derived as (
    select user_id, micromasters_program_id as program_id
    from {{ ref('int__micromasters__program_certificates') }}
)

select coalesce(expected.user_id, derived.user_id) as user_id,
    coalesce(expected.program_id, derived.program_id) as program_id,
    expected.user_id is not null as meets_requirements,
    derived.user_id is not null as has_certificate
from expected
full outer join derived
    on expected.user_id = derived.user_id
    and expected.program_id = derived.program_id
where expected.user_id is null or derived.user_id is null
