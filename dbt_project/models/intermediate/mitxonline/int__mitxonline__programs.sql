-- MITx Online programs with their CMS page (description, length, effort, price, ...).
with programs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_program') }}
),

pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_programpage') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    programs.program_id,
    programs.program_readable_id,
    programs.program_title,
    programs.program_name,
    programs.program_track,
    programs.program_type,
    programs.program_certification_type,
    programs.program_is_micromasters,
    programs.program_is_dedp,
    programs.program_availability,
    programs.program_is_live,
    pages.programpage_price as program_price,
    pages.programpage_length as program_length,
    pages.programpage_effort as program_effort,
    pages.programpage_description as program_description,
    pages.programpage_what_you_learn as program_what_you_learn,
    pages.programpage_prerequisites as program_prerequisites,
    pages.programpage_first_published_on as program_page_first_published_on,
    programs.program_created_on,
    programs.program_updated_on
from programs
left join pages on programs.program_id = pages.program_id
