-- MicroMasters programs with their CMS page, and the MITx Online program of the same name
-- (MITx Online titles a MicroMasters program '<name>: <track>').
with programs as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_program') }}
),

pages as (
    select * from {{ ref('stg__micromasters__app__postgres__cms_programpage') }}
),

mitxonline_programs as (
    select program_name, min(program_id) as program_id
    from {{ ref('stg__mitxonline__app__postgres__courses_program') }}
    where program_is_micromasters
    group by program_name
)

select
    {{ platform_name('micromasters') }} as platform,
    programs.program_id,
    {{ micromasters_program_readable_id('programs.program_id') }} as program_readable_id,
    programs.program_title,
    programs.program_is_live,
    programs.program_num_required_courses,
    pages.cms_programpage_description as program_description,
    pages.cms_programpage_home_page_url as program_home_page_url,
    mitxonline_programs.program_id as mitxonline_program_id,
    programs.program_title like 'Data, Economics%' as program_is_dedp
from programs
left join pages on programs.program_id = pages.program_id
left join mitxonline_programs on programs.program_title = mitxonline_programs.program_name
