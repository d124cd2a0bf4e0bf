-- Programs of every platform that has them, one row per (platform, program readable id):
-- MITx Online, xPRO, MicroMasters and edX.org (MITx programs; readable id = program uuid).
-- program_pk = surrogate of (platform_readable_id, program_readable_id); other models
-- compute program_fk with the same expression.
with mitxonline as (
    select
        cast(program_id as {{ dbt.type_string() }}) as source_id,
        program_readable_id,
        program_name,
        program_title,
        program_type,
        program_track,
        program_certification_type,
        program_is_dedp,
        program_is_micromasters,
        program_availability,
        program_price,
        program_length,
        program_effort,
        program_description,
        program_what_you_learn,
        program_prerequisites,
        program_is_live as is_active,
        false as is_external,
        cast(null as {{ dbt.type_string() }}) as partner_platform_name,
        'mitxonline' as platform_readable_id,
        program_page_first_published_on as first_published_date
    from {{ ref('int__mitxonline__programs') }}
),

xpro as (
    select
        cast(program_id as {{ dbt.type_string() }}) as source_id,
        program_readable_id,
        program_title as program_name,
        program_title,
        'Professional' as program_type,
        cast(null as {{ dbt.type_string() }}) as program_track,
        'Professional Certificate' as program_certification_type,
        false as program_is_dedp,
        false as program_is_micromasters,
        'anytime' as program_availability,
        cast(null as {{ dbt.type_string() }}) as program_price,
        cast(null as {{ dbt.type_string() }}) as program_length,
        cast(null as {{ dbt.type_string() }}) as program_effort,
        cast(null as {{ dbt.type_string() }}) as program_description,
        cast(null as {{ dbt.type_string() }}) as program_what_you_learn,
        cast(null as {{ dbt.type_string() }}) as program_prerequisites,
        program_is_live as is_active,
        program_is_external as is_external,
        partner_platform_name,
        'xpro' as platform_readable_id,
        cast(null as {{ type_timestamptz() }}) as first_published_date
    from {{ ref('int__xpro__programs') }}
),

micromasters as (
    select
        cast(program_id as {{ dbt.type_string() }}) as source_id,
        program_readable_id,
        program_title as program_name,
        program_title,
        'MicroMasters' as program_type,
        cast(null as {{ dbt.type_string() }}) as program_track,
        'MicroMasters Credential' as program_certification_type,
        program_is_dedp,
        true as program_is_micromasters,
        'dated' as program_availability,
        cast(null as {{ dbt.type_string() }}) as program_price,
        cast(null as {{ dbt.type_string() }}) as program_length,
        cast(null as {{ dbt.type_string() }}) as program_effort,
        program_description,
        cast(null as {{ dbt.type_string() }}) as program_what_you_learn,
        cast(null as {{ dbt.type_string() }}) as program_prerequisites,
        program_is_live as is_active,
        false as is_external,
        cast(null as {{ dbt.type_string() }}) as partner_platform_name,
        'micromasters' as platform_readable_id,
        cast(null as {{ type_timestamptz() }}) as first_published_date
    from {{ ref('int__micromasters__programs') }}
),

edxorg as (
    select
        program_uuid as source_id,
        program_readable_id,
        program_title as program_name,
        program_title,
        program_type,
        cast(null as {{ dbt.type_string() }}) as program_track,
        cast(null as {{ dbt.type_string() }}) as program_certification_type,
        false as program_is_dedp,
        micromasters_program_id is not null as program_is_micromasters,
        cast(null as {{ dbt.type_string() }}) as program_availability,
        cast(null as {{ dbt.type_string() }}) as program_price,
        cast(null as {{ dbt.type_string() }}) as program_length,
        cast(null as {{ dbt.type_string() }}) as program_effort,
        program_subtitle as program_description,
        cast(null as {{ dbt.type_string() }}) as program_what_you_learn,
        cast(null as {{ dbt.type_string() }}) as program_prerequisites,
        program_status = 'active' as is_active,
        true as is_external,
        cast(null as {{ dbt.type_string() }}) as partner_platform_name,
        'edxorg' as platform_readable_id,
        cast(null as {{ type_timestamptz() }}) as first_published_date
    from {{ ref('int__edxorg__mitx_programs') }}
),

programs as (
    select * from mitxonline
    union all
    select * from xpro
    union all
    select * from micromasters
    union all
    select * from edxorg
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['programs.platform_readable_id', 'programs.program_readable_id']) }}
        as program_pk,
    programs.source_id,
    programs.program_readable_id,
    programs.program_name,
    programs.program_title,
    programs.program_type,
    programs.program_track,
    programs.program_certification_type,
    programs.program_is_dedp,
    programs.program_is_micromasters,
    programs.program_availability,
    programs.program_price,
    programs.program_length,
    programs.program_effort,
    programs.program_description,
    programs.program_what_you_learn,
    programs.program_prerequisites,
    programs.is_active,
    programs.is_external,
    programs.partner_platform_name,
    programs.platform_readable_id,
    -- the platform's code in the applications' own naming (xPRO calls itself mitxpro)
    case programs.platform_readable_id
        when 'xpro' then 'mitxpro' else programs.platform_readable_id
    end as platform_code,
    platforms.platform_pk as platform_fk,
    programs.first_published_date,
    cast(programs.first_published_date as date) as published_date,
    {{ date_key('programs.first_published_date') }} as published_date_key,
    -- programs of these platforms are open for enrollment at any time: no enrollment window
    cast(null as date) as enrollment_start_date,
    cast(null as date) as enrollment_end_date
from programs
inner join platforms on programs.platform_readable_id = platforms.platform_readable_id
