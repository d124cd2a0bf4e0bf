-- Every program certificate names a program of dim_program on its own platform.
select certificates.certificate_key, certificates.platform_readable_id
from {{ ref('tfact_certificate') }} as certificates
left join {{ ref('dim_program') }} as programs
    on certificates.program_fk = programs.program_pk
where certificates.certificate_scope = 'program'
    and (
        programs.program_pk is null
        or programs.platform_readable_id <> certificates.platform_readable_id
    )
