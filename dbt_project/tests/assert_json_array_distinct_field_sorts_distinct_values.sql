-- json_array_distinct_field gives the sorted distinct values of a field across a JSON array.
with plucked as (
    select
        {{ json_array_distinct_field("'[{\"language\":\"zh\"},{\"language\":\"en\"},{\"language\":\"en\"}]'", 'language') }}
            as languages
)

select *
from plucked
where languages is null
    or languages <> array['en', 'zh']
