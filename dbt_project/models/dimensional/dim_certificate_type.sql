-- The kinds of certificate the platforms issue; tfact_certificate.certificate_type_fk.
select
    certificate_type_pk,
    certificate_type_code,
    certificate_type_name,
    certificate_requires_id_verification
from (
    values
        (1, 'verified', 'Verified Certificate', true),
        (2, 'professional', 'Professional Certificate', true),
        (3, 'completion', 'Certificate of Completion', false),
        (4, 'audit', 'Audit Certificate', false),
        (5, 'micromasters', 'MicroMasters Credential', true),
        (6, 'honor', 'Honor Certificate', false),
        (7, 'credit', 'Credit Certificate', true)
) as certificate_types (
    certificate_type_pk, certificate_type_code, certificate_type_name,
    certificate_requires_id_verification
)
