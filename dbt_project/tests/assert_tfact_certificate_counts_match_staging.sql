-- Every certificate of the sources is in tfact_certificate once: per platform and scope, the
-- fact's certificates (and its non-revoked ones) equal the source tables' rows.
with sources as (
    {%- for platform, scope, model, revoked in [
        ('mitxonline', 'course', 'stg__mitxonline__app__postgres__courses_courseruncertificate', 'courseruncertificate_is_revoked'),
        ('mitxonline', 'program', 'stg__mitxonline__app__postgres__courses_programcertificate', 'programcertificate_is_revoked'),
        ('xpro', 'course', 'stg__xpro__app__postgres__courses_courseruncertificate', 'courseruncertificate_is_revoked'),
        ('xpro', 'program', 'stg__xpro__app__postgres__courses_programcertificate', 'programcertificate_is_revoked'),
        ('bootcamps', 'course', 'stg__bootcamps__app__postgres__courses_courseruncertificate', 'courseruncertificate_is_revoked'),
        ('micromasters', 'course', 'stg__micromasters__app__postgres__grades_coursecertificate', 'false'),
        ('micromasters', 'program', 'int__micromasters__program_certificates', 'false'),
        ('edxorg', 'course', 'int__edxorg__mitx_courserun_certificates', 'false'),
        ('edxorg', 'program', 'int__edxorg__mitx_program_certificates', 'false'),
    ] %}
    select
        '{{ platform }}' as platform_readable_id,
        '{{ scope }}' as certificate_scope,
        count(*) as certificates,
        sum(case when {{ revoked }} then 0 else 1 end) as in_force
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

fact as (
    select
        platform_readable_id,
        certificate_scope,
        count(*) as certificates,
        sum(case when certificate_is_revoked then 0 else 1 end) as in_force
    from {{ ref('tfact_certificate') }}
    group by platform_readable_id, certificate_scope
)

select
    coalesce(sources.platform_readable_id, fact.platform_readable_id) as platform_readable_id,
    coalesce(sources.certificate_scope, fact.certificate_scope) as certificate_scope,
    sources.certificates as source_certificates,
    fact.certificates as fact_certificates,
    sources.in_force as source_in_force,
    fact.in_force as fact_in_force
from sources
full outer join fact
    on sources.platform_readable_id = fact.platform_readable_id
    and sources.certificate_scope = fact.certificate_scope
where sources.certificates is distinct from fact.certificates
    or sources.in_force is distinct from fact.in_force
