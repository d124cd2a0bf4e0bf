-- MITx programs on edX.org (MicroMasters, XSeries...), one row per program uuid. edX.org
-- programs have no readable id: program_readable_id is the uuid. A MicroMasters program is
-- matched by title (edX.org's title starts or ends with MicroMasters', e.g. a track suffix).
with programs as (
    select * from {{ ref('stg__edxorg__s3__programs') }}
    where program_organization = 'MITx'
),

micromasters_programs as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_program') }}
),

matched as (
    select
        programs.*,
        micromasters_programs.program_id as micromasters_program_id,
        micromasters_programs.program_title as micromasters_program_title,
        row_number() over (
            partition by programs.program_uuid order by micromasters_programs.program_id
        ) as _match_rank
    from programs
    left join micromasters_programs
        on programs.program_title like micromasters_programs.program_title || '%'
        or programs.program_title like '%' || micromasters_programs.program_title
)

select
    program_uuid,
    program_uuid as program_readable_id,
    program_title,
    coalesce(micromasters_program_title, program_title) as program_name,
    program_subtitle,
    program_type,
    program_status,
    program_status = 'active' as program_is_active,
    program_organization,
    program_updated_on,
    micromasters_program_id
from matched
where _match_rank = 1
