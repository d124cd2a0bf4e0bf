-- Course runs across platforms with type-2 history: one row per version of a run.
-- courserun_pk = surrogate of (platform, courserun_readable_id), stable across versions;
-- courserun_version_pk identifies a version. MITx Online, xPRO and Bootcamps versions come
-- from the raw Airbyte extractions (int__<platform>__course_run_history); residential MITx
-- runs have one version each (their Open edX course overview); edX.org runs (its archives and
-- IRx exports are one platform) come from its course tables, one version each; so do the runs
-- Emeritus and Global Alumni deliver for xPRO (from their enrollment exports).
-- MicroMasters enriches the runs sharing its edX course key: upgrade deadline, exam semester,
-- passing grade.
with history as (
    select * from {{ ref('int__mitxonline__course_run_history') }}
    union all
    select * from {{ ref('int__xpro__course_run_history') }}
    union all
    select * from {{ ref('int__bootcamps__course_run_history') }}
    union all
    -- Residential MITx: one version per run (its Open edX course overview).
    select
        {{ platform_name('residential') }} as platform,
        'residential' as platform_readable_id,
        'mitx_openedx' as courserun_source,
        cast(null as bigint) as courserun_id,
        courserun_readable_id,
        course_readable_id,
        courserun_title,
        cast(courserun_start_on as {{ type_timestamptz() }}) as courserun_start_on,
        cast(courserun_end_on as {{ type_timestamptz() }}) as courserun_end_on,
        cast(courserun_enrollment_start_on as {{ type_timestamptz() }})
            as courserun_enrollment_start_on,
        cast(courserun_enrollment_end_on as {{ type_timestamptz() }})
            as courserun_enrollment_end_on,
        cast(null as {{ type_timestamptz() }}) as courserun_upgrade_deadline,
        courserun_is_self_paced,
        cast(null as boolean) as courserun_is_live,
        cast(courserun_created_on as {{ type_timestamptz() }}) as effective_date,
        cast(null as {{ type_timestamptz() }}) as end_date,
        true as is_current
    from {{ ref('int__mitxresidential__courseruns') }}
    union all
    -- edX.org runs: titles and dates from edX.org's course tables; one version each.
    select
        {{ platform_name('edxorg') }} as platform,
        'edxorg' as platform_readable_id,
        courserun_source,
        cast(null as bigint) as courserun_id,
        courserun_readable_id,
        course_readable_id,
        courserun_title,
        courserun_start_date as courserun_start_on,
        courserun_end_date as courserun_end_on,
        courserun_enrollment_start_date as courserun_enrollment_start_on,
        courserun_enrollment_end_date as courserun_enrollment_end_on,
        cast(null as {{ type_timestamptz() }}) as courserun_upgrade_deadline,
        courserun_is_self_paced,
        courserun_is_published as courserun_is_live,
        courserun_first_seen_on as effective_date,
        cast(null as {{ type_timestamptz() }}) as end_date,
        true as is_current
    from {{ ref('int__edxorg__mitx_courseruns') }}
    union all
    -- The runs xPRO's partners deliver (Emeritus, Global Alumni), keyed by xPRO's run code;
    -- one version each.
    select
        platform,
        platform_readable_id,
        courserun_source,
        cast(null as bigint) as courserun_id,
        courserun_readable_id,
        cast(null as {{ dbt.type_string() }}) as course_readable_id,
        courserun_title,
        courserun_start_on,
        courserun_end_on,
        cast(null as {{ type_timestamptz() }}) as courserun_enrollment_start_on,
        cast(null as {{ type_timestamptz() }}) as courserun_enrollment_end_on,
        cast(null as {{ type_timestamptz() }}) as courserun_upgrade_deadline,
        false as courserun_is_self_paced,
        cast(null as boolean) as courserun_is_live,
        courserun_first_seen_on as effective_date,
        cast(null as {{ type_timestamptz() }}) as end_date,
        true as is_current
    from {{ ref('int__xpro_partners__course_runs') }}
),

micromasters as (
    select * from (
        select
            *,
            row_number() over (
                partition by courserun_readable_id order by courserun_id desc
            ) as _run_rank
        from {{ ref('int__micromasters__course_runs') }}
    ) as ranked
    where _run_rank = 1
),

platforms as (
    select * from {{ ref('dim_platform') }}
),

keyed as (
    select
        {{ generate_surrogate_key(['platform_readable_id', 'courserun_readable_id']) }}
            as courserun_pk,
        *
    from history
)

select
    {{ generate_surrogate_key(['keyed.courserun_pk', 'keyed.effective_date']) }}
        as courserun_version_pk,
    keyed.courserun_pk,
    platforms.platform_pk as platform_fk,
    {{ generate_surrogate_key(['keyed.platform_readable_id', 'keyed.course_readable_id']) }}
        as course_fk,
    keyed.platform,
    keyed.platform_readable_id,
    keyed.courserun_source,
    keyed.courserun_id,
    keyed.courserun_readable_id,
    keyed.course_readable_id,
    coalesce(keyed.courserun_title, micromasters.courserun_title) as courserun_title,
    keyed.courserun_start_on,
    keyed.courserun_end_on,
    keyed.courserun_enrollment_start_on,
    keyed.courserun_enrollment_end_on,
    keyed.courserun_is_self_paced,
    keyed.courserun_is_live,
    coalesce(keyed.courserun_upgrade_deadline, micromasters.courserun_upgrade_deadline)
        as courserun_upgrade_deadline,
    micromasters.courserun_exam_semester as courserun_semester,
    micromasters.courserun_passing_grade,
    -- The same facts under the names of the warehouse's other models and their date keys.
    keyed.courserun_id as source_id,
    keyed.courserun_enrollment_start_on as enrollment_start,
    keyed.courserun_enrollment_end_on as enrollment_end,
    micromasters.courserun_exam_semester as semester,
    micromasters.courserun_passing_grade as passing_grade,
    {{ date_key('keyed.courserun_start_on') }} as courserun_start_date_key,
    {{ date_key('keyed.courserun_end_on') }} as courserun_end_date_key,
    {{ date_key('keyed.courserun_enrollment_start_on') }} as enrollment_start_date_key,
    {{ date_key('keyed.courserun_enrollment_end_on') }} as enrollment_end_date_key,
    micromasters.program_title as micromasters_program_title,
    micromasters.courserun_readable_id is not null as courserun_is_micromasters,
    keyed.effective_date,
    keyed.end_date,
    keyed.is_current
from keyed
inner join platforms on keyed.platform_readable_id = platforms.platform_readable_id
left join micromasters on keyed.courserun_readable_id = micromasters.courserun_readable_id
