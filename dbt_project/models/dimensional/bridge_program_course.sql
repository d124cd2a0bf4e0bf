-- Which courses make up which program: one row per (program, course). is_required is false
-- for electives; course_order is the course's position in the program. MicroMasters courses
-- are edX course keys: they resolve to the edX.org course when dim_course has it, else to
-- the MITx Online course of the same key.
with requirements as (
    select
        'mitxonline' as platform_readable_id,
        programs.program_readable_id,
        'mitxonline' as course_platform_readable_id,
        requirements.course_readable_id,
        requirements.programrequirement_is_required as is_required,
        requirements.course_order_in_program as course_order
    from {{ ref('int__mitxonline__program_requirements') }} as requirements
    inner join {{ ref('stg__mitxonline__app__postgres__courses_program') }} as programs
        on requirements.program_id = programs.program_id

    union all

    select
        'xpro' as platform_readable_id,
        programs.program_readable_id,
        'xpro' as course_platform_readable_id,
        courses.course_readable_id,
        true as is_required,
        row_number() over (
            partition by programs.program_id order by courses.course_id
        ) as course_order
    from {{ ref('stg__xpro__app__postgres__courses_course') }} as courses
    inner join {{ ref('stg__xpro__app__postgres__courses_program') }} as programs
        on courses.program_id = programs.program_id

    union all

    select distinct
        'micromasters' as platform_readable_id,
        {{ micromasters_program_readable_id('requirements.program_id') }} as program_readable_id,
        coalesce(edxorg.platform_readable_id, 'mitxonline') as course_platform_readable_id,
        requirements.course_readable_id,
        requirements.programrequirement_is_required as is_required,
        requirements.course_position_in_program as course_order
    from {{ ref('int__micromasters__program_requirements') }} as requirements
    left join {{ ref('dim_course') }} as edxorg
        on edxorg.platform_readable_id = 'edxorg'
        and requirements.course_readable_id = edxorg.course_readable_id
),

programs as (
    select * from {{ ref('dim_program') }}
),

courses as (
    select * from {{ ref('dim_course') }}
)

select
    programs.program_pk as program_fk,
    courses.course_pk as course_fk,
    requirements.is_required,
    requirements.course_order
from requirements
inner join programs
    on requirements.platform_readable_id = programs.platform_readable_id
    and requirements.program_readable_id = programs.program_readable_id
inner join courses
    on requirements.course_platform_readable_id = courses.platform_readable_id
    and requirements.course_readable_id = courses.course_readable_id
