-- Certificates, one row per certificate a platform issued (certificate_key = surrogate of
-- platform, scope, certificate id): course-run certificates of MITx Online, xPRO, Bootcamps
-- and MicroMasters (a MicroMasters course certificate sits in the run where the learner
-- passed), and program certificates of MITx Online, xPRO and MicroMasters (derived from its
-- course certificates), and edX.org course-run and program certificates. Revoked
-- certificates stay, flagged by certificate_is_revoked (edX.org keeps no revocations).
{%- set string = dbt.type_string() %}
{#-
  The certificate sources, one per (platform, scope): the learner's account system
  (account_source), the certificate type every certificate of the source has (type_code) or
  the column of edX.org's certificate mode it is folded from (mode_column), and where the
  certificate columns come from. A source's columns are <prefix><column> unless 'columns'
  names another column of the source; is_revoked none means the platform keeps no
  revocations (false). 'join' (model, key) looks the run's or program's readable id up by
  the certificate's key, for sources that only carry the application's id. A source without
  an issue date takes its creation date (xPRO issues a certificate when it creates it). The
  public URL is the source's url column, or 'url_base' and the uuid for a certificate in
  force where the application builds it from them (url none and no url_base: no URL).
-#}
{%- set certificate_sources = [
    {'platform': 'mitxonline', 'scope': 'course', 'account_source': 'app', 'type_code': 'verified',
     'model': 'stg__mitxonline__app__postgres__courses_courseruncertificate',
     'join': ('stg__mitxonline__app__postgres__courses_courserun', 'courserun_id'),
     'prefix': 'courseruncertificate_'},
    {'platform': 'xpro', 'scope': 'course', 'account_source': 'app', 'type_code': 'professional',
     'model': 'stg__xpro__app__postgres__courses_courseruncertificate',
     'join': ('stg__xpro__app__postgres__courses_courserun', 'courserun_id'),
     'prefix': 'courseruncertificate_',
     'columns': {'issued_on': 'courseruncertificate_created_on'}},
    {'platform': 'bootcamps', 'scope': 'course', 'account_source': 'app', 'type_code': 'verified',
     'model': 'stg__bootcamps__app__postgres__courses_courseruncertificate',
     'join': ('stg__bootcamps__app__postgres__klasses_bootcamprun', 'courserun_id'),
     'prefix': 'courseruncertificate_',
     'columns': {'issued_on': 'courseruncertificate_created_on'}},
    {'platform': 'micromasters', 'scope': 'course', 'account_source': 'app',
     'type_code': 'verified',
     'model': 'int__micromasters__course_certificates',
     'prefix': 'coursecertificate_',
     'columns': {'uuid': 'coursecertificate_hash', 'is_revoked': none,
                 'issued_on': 'coursecertificate_created_on'}},
    {'platform': 'mitxonline', 'scope': 'program', 'account_source': 'app', 'type_code': 'verified',
     'model': 'int__mitxonline__program_certificates',
     'prefix': 'programcertificate_'},
    {'platform': 'xpro', 'scope': 'program', 'account_source': 'app', 'type_code': 'professional',
     'model': 'stg__xpro__app__postgres__courses_programcertificate',
     'join': ('stg__xpro__app__postgres__courses_program', 'program_id'),
     'prefix': 'programcertificate_',
     'url_base': 'https://xpro.mit.edu/certificate/program/',
     'columns': {'issued_on': 'programcertificate_created_on', 'url': none}},
    {'platform': 'micromasters', 'scope': 'program', 'account_source': 'app',
     'type_code': 'micromasters',
     'model': 'int__micromasters__program_certificates',
     'columns': {'id': 'program_certificate_hashed_id', 'uuid': 'program_certificate_hashed_id',
                 'is_revoked': none, 'created_on': 'program_completion_timestamp',
                 'updated_on': 'program_completion_timestamp',
                 'issued_on': 'program_completion_timestamp', 'url': none}},
    {'platform': 'edxorg', 'scope': 'course', 'account_source': 'openedx',
     'mode_column': 'courseruncertificate_mode',
     'model': 'int__edxorg__mitx_courserun_certificates',
     'prefix': 'courseruncertificate_',
     'columns': {'uuid': 'courseruncertificate_verify_uuid', 'is_revoked': none,
                 'issued_on': 'courseruncertificate_created_on',
                 'url': 'courseruncertificate_download_url'}},
    {'platform': 'edxorg', 'scope': 'program', 'account_source': 'openedx', 'type_code': 'verified',
     'model': 'int__edxorg__mitx_program_certificates',
     'columns': {'id': 'program_certificate_hashed_id', 'uuid': 'program_certificate_hashed_id',
                 'is_revoked': none, 'readable_id': 'program_uuid',
                 'created_on': 'program_certificate_awarded_on',
                 'updated_on': 'program_certificate_awarded_on',
                 'issued_on': 'program_certificate_awarded_on', 'url': none}},
] %}
with certificates as (
    {%- for source in certificate_sources %}
    {%- set prefix = source.get('prefix', '') %}
    {%- set columns = {
        'readable_id': 'courserun_readable_id' if source.scope == 'course'
            else 'program_readable_id',
    } %}
    {%- for column in ['id', 'uuid', 'is_revoked', 'created_on', 'updated_on', 'issued_on', 'url'] %}
    {%- do columns.update({column: prefix ~ column}) %}
    {%- endfor %}
    {%- do columns.update(source.get('columns', {})) %}
    {%- set readable_id = ('lookup.' if source.join else 'certificates.') ~ columns.readable_id %}
    {%- set null_string = 'cast(null as ' ~ string ~ ')' %}
    {%- set is_revoked = 'certificates.' ~ columns.is_revoked if columns.is_revoked else 'false' %}
    {%- if columns.url %}
    {%- set url = 'certificates.' ~ columns.url %}
    {%- elif source.url_base %}
    {%- set url = 'case when not ' ~ is_revoked ~ ' then '
        ~ dbt.concat(["'" ~ source.url_base ~ "'", 'certificates.' ~ columns.uuid]) ~ ' end' %}
    {%- else %}
    {%- set url = null_string %}
    {%- endif %}
    select
        '{{ source.platform }}' as platform_readable_id,
        '{{ source.scope }}' as certificate_scope,
        cast(certificates.{{ columns.id }} as {{ string }}) as certificate_id,
        '{{ source.account_source }}' as user_account_source,
        certificates.user_id,
        {{ readable_id if source.scope == 'course' else null_string }} as courserun_readable_id,
        {{ readable_id if source.scope == 'program' else null_string }} as program_readable_id,
        certificates.{{ columns.uuid }} as certificate_uuid,
        {{ is_revoked }} as certificate_is_revoked,
        certificates.{{ columns.created_on }} as certificate_created_on,
        certificates.{{ columns.updated_on }} as certificate_updated_on,
        certificates.{{ columns.issued_on }} as certificate_issued_on,
        {{ url }} as certificate_url,
        {%- if source.mode_column %}
        -- edX.org's certificate modes, folded into dim_certificate_type's kinds
        case certificates.{{ source.mode_column }}
            when 'no-id-professional' then 'professional'
            when 'masters' then 'verified'
            else certificates.{{ source.mode_column }}
        end as certificate_type_code
        {%- else %}
        '{{ source.type_code }}' as certificate_type_code
        {%- endif %}
    from {{ ref(source.model) }} as certificates
    {%- if source.join %}
    inner join {{ ref(source.join[0]) }} as lookup
        on certificates.{{ source.join[1] }} = lookup.{{ source.join[1] }}
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

platforms as (
    select * from {{ ref('dim_platform') }}
),

certificate_types as (
    select * from {{ ref('dim_certificate_type') }}
)

select
    {{ generate_surrogate_key([
        'certificates.platform_readable_id', 'certificates.certificate_scope',
        'certificates.certificate_id',
    ]) }} as certificate_key,
    certificates.certificate_id,
    {{ date_key('certificates.certificate_issued_on') }} as certificate_issued_date_key,
    accounts.user_fk,
    -- MicroMasters runs are edX course keys (run_fk says how they resolve).
    {{ run_fk() }} as courserun_fk,
    case
        when certificates.program_readable_id is not null
            then {{ generate_surrogate_key([
                'certificates.platform_readable_id', 'certificates.program_readable_id',
            ]) }}
    end as program_fk,
    platforms.platform_pk as platform_fk,
    certificate_types.certificate_type_pk as certificate_type_fk,
    platforms.platform_name as platform,
    certificates.platform_readable_id,
    certificates.certificate_scope,
    certificates.certificate_uuid,
    certificates.certificate_is_revoked,
    certificates.certificate_created_on,
    certificates.certificate_updated_on,
    certificates.certificate_issued_on,
    certificates.certificate_url
from certificates
inner join platforms on certificates.platform_readable_id = platforms.platform_readable_id
left join certificate_types
    on certificates.certificate_type_code = certificate_types.certificate_type_code
left join accounts
    on certificates.platform_readable_id = accounts.platform_readable_id
    and certificates.user_account_source = accounts.user_account_source
    and certificates.user_id = accounts.user_id
{{ run_joins('certificates') }}
