-- MicroMasters program certificates, derived from the app's course certificates (the app
-- keeps no program certificate of its own here): a learner completes a program when they hold
-- a course certificate for every required course and, for each elective set, for at least
-- the set's required number of its courses. The completion time is when the last needed
-- certificate came: the latest required one, and in each elective set the n-th earliest.
with requirements as (
    select * from {{ ref('int__micromasters__program_requirements') }}
),

certified as (
    select
        requirements.program_id,
        requirements.electiveset_id,
        requirements.electiveset_required_number,
        requirements.programrequirement_is_required,
        certificates.user_id,
        certificates.coursecertificate_created_on,
        row_number() over (
            partition by certificates.user_id, requirements.program_id, requirements.electiveset_id
            order by certificates.coursecertificate_created_on
        ) as certificate_rank
    from requirements
    inner join {{ ref('int__micromasters__course_certificates') }} as certificates
        on requirements.course_id = certificates.course_id
),

needs as (
    select
        program_id,
        sum(case when programrequirement_is_required then 1 else 0 end) as required_courses,
        count(distinct electiveset_id) as elective_sets
    from requirements
    group by program_id
),

per_learner as (
    select
        program_id,
        user_id,
        sum(case when programrequirement_is_required then 1 else 0 end) as required_certified,
        count(distinct case
            when certificate_rank = electiveset_required_number then electiveset_id
        end) as elective_sets_met,
        max(case
            when programrequirement_is_required
                or certificate_rank = electiveset_required_number
                then coursecertificate_created_on
        end) as program_completion_timestamp
    from certified
    group by program_id, user_id
),

programs as (
    select * from {{ ref('int__micromasters__programs') }}
)

select
    {{ generate_surrogate_key(["'micromasters'", 'per_learner.user_id', 'per_learner.program_id']) }}
        as program_certificate_hashed_id,
    {{ platform_name('micromasters') }} as platform,
    per_learner.user_id,
    per_learner.program_id as micromasters_program_id,
    programs.mitxonline_program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.program_is_dedp,
    per_learner.program_completion_timestamp
from per_learner
inner join needs on per_learner.program_id = needs.program_id
inner join programs on per_learner.program_id = programs.program_id
where per_learner.required_certified = needs.required_courses
    and per_learner.elective_sets_met = needs.elective_sets
