-- xPRO program enrollments with their program's readable id, in the shape the enrollment fact
-- unions (one row per enrollment). xPRO keeps no enrollment mode for programs.
select
    'xpro_app' as programenrollment_source,
    enrollments.programenrollment_id,
    'app' as user_account_source,
    enrollments.user_id,
    programs.program_readable_id,
    enrollments.programenrollment_is_active,
    cast(null as {{ dbt.type_string() }}) as programenrollment_enrollment_mode,
    enrollments.programenrollment_enrollment_status,
    enrollments.programenrollment_created_on,
    enrollments.programenrollment_updated_on
from {{ ref('stg__xpro__app__postgres__courses_programenrollment') }} as enrollments
inner join {{ ref('int__xpro__programs') }} as programs
    on enrollments.program_id = programs.program_id
