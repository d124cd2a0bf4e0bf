-- MITx Online program certificates with their program and learner (app account).
with certificates as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_programcertificate') }}
),

programs as (
    select * from {{ ref('int__mitxonline__programs') }}
),

users as (
    select * from {{ ref('stg__mitxonline__app__postgres__users_user') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    certificates.programcertificate_id,
    certificates.programcertificate_uuid,
    certificates.program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.program_is_dedp,
    certificates.user_id,
    users.user_username,
    users.user_email,
    users.user_full_name,
    certificates.programcertificate_is_revoked,
    case
        when not certificates.programcertificate_is_revoked
            then {{ dbt.concat(["'https://mitxonline.mit.edu/certificate/program/'", 'certificates.programcertificate_uuid']) }}
    end as programcertificate_url,
    certificates.programcertificate_created_on,
    certificates.programcertificate_updated_on,
    certificates.programcertificate_issued_on
from certificates
inner join programs on certificates.program_id = programs.program_id
left join users on certificates.user_id = users.user_id
