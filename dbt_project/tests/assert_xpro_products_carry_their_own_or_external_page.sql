-- Every xPRO course and program carries its catalogue page, read here from the raw tables: its
-- own page where it has one, else its external page (a course or program a partner delivers),
-- else none. A row here is a course or program whose page is not that one.
with pages as (
    {%- for kind in ['course', 'program'] %}
    {%- for prefix, preference in [('', 1), ('external', 2)] %}
    select
        '{{ kind }}' as kind,
        {{ kind }}_id as product_id,
        'cms_{{ prefix }}{{ kind }}page' as page_model,
        duration,
        {{ preference }} as preference,
        _airbyte_extracted_at
    from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_' ~ prefix ~ kind ~ 'page') }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

expected as (
    select kind, product_id, page_model, duration
    from (
        select
            *,
            row_number() over (
                partition by kind, product_id order by preference, _airbyte_extracted_at desc
            ) as page_rank
        from pages
    ) as ranked
    where page_rank = 1
),

actual as (
    select 'course' as kind, course_id as product_id, cms_coursepage_model as page_model,
        cms_coursepage_duration as duration
    from {{ ref('int__mitxpro__courses') }}
    union all
    select 'program', program_id, cms_programpage_model, cms_programpage_duration
    from {{ ref('int__xpro__programs') }}
)

select actual.kind, actual.product_id, actual.page_model, expected.page_model as expected_page
from actual
left join expected on actual.kind = expected.kind and actual.product_id = expected.product_id
where actual.page_model is distinct from expected.page_model
    or actual.duration is distinct from expected.duration
