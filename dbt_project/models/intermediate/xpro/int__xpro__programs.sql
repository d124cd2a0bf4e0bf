-- xPRO programs with the platform that delivers them (xPRO, or an external partner).
with programs as (
    select * from {{ ref('stg__xpro__app__postgres__courses_program') }}
),

platforms as (
    select * from {{ ref('stg__xpro__app__postgres__courses_platform') }}
)

select
    {{ platform_name('xpro') }} as platform,
    programs.program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.short_program_code,
    programs.program_is_live,
    programs.program_is_external,
    platforms.platform_name as partner_platform_name,
    programs.program_created_on,
    programs.program_updated_on
from programs
left join platforms on programs.platform_id = platforms.platform_id
