-- MicroMasters program certificates, one row per (learner, program) completed, derived from
-- the MicroMasters app's course certificates (int__micromasters__program_certificates), with
-- the learner's identities across platforms from dim_user. program_readable_id is the MITx
-- Online program's when the program also runs there, else the MicroMasters one.
with certificates as (
    select * from {{ ref('int__micromasters__program_certificates') }}
),

mitxonline_programs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_program') }}
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where platform_readable_id = 'micromasters' and user_account_source = 'app'
),

profiles as (
    select user_id, user_first_name, user_last_name
    from {{ ref('stg__micromasters__app__postgres__profiles_profile') }}
),

users as (
    select * from {{ ref('dim_user') }}
)

select
    certificates.program_certificate_hashed_id,
    users.user_edxorg_username,
    coalesce(accounts.user_email, users.email) as user_email,
    certificates.program_title,
    users.edxorg_openedx_user_id as user_edxorg_id,
    certificates.program_completion_timestamp,
    coalesce(accounts.user_full_name, users.full_name) as user_full_name,
    users.address_country as user_country,
    certificates.micromasters_program_id,
    certificates.mitxonline_program_id,
    users.user_mitxonline_username,
    coalesce(mitxonline_programs.program_readable_id, certificates.program_readable_id)
        as program_readable_id,
    certificates.program_is_dedp,
    certificates.user_id as micromasters_user_id,
    -- The learner's MicroMasters profile (the program's own records of its learners).
    profiles.user_first_name,
    profiles.user_last_name,
    accounts.user_gender,
    accounts.user_birth_year as user_year_of_birth,
    accounts.user_street_address,
    accounts.user_address_city,
    accounts.user_address_state as user_address_state_or_territory,
    accounts.user_address_postal_code
from certificates
left join mitxonline_programs
    on certificates.mitxonline_program_id = mitxonline_programs.program_id
left join accounts on certificates.user_id = accounts.user_id
left join profiles on certificates.user_id = profiles.user_id
left join users on accounts.user_fk = users.user_pk
