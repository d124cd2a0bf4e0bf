-- Every grade of the sources is in tfact_grade once: per platform, the fact's grades equal
-- the source grade tables' rows.
with sources as (
    {%- for platform, model in [
        ('mitxonline', 'stg__mitxonline__app__postgres__courses_courserungrade'),
        ('xpro', 'stg__xpro__app__postgres__courses_courserungrade'),
        ('micromasters', 'stg__micromasters__app__postgres__grades_courserungrade'),
        ('edxorg', 'int__edxorg__mitx_courserun_grades'),
    ] %}
    select '{{ platform }}' as platform_readable_id, count(*) as grades
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

fact as (
    select platform_readable_id, count(*) as grades
    from {{ ref('tfact_grade') }}
    group by platform_readable_id
)

select
    coalesce(sources.platform_readable_id, fact.platform_readable_id) as platform_readable_id,
    sources.grades as source_grades,
    fact.grades as fact_grades
from sources
full outer join fact on sources.platform_readable_id = fact.platform_readable_id
where sources.grades is distinct from fact.grades
