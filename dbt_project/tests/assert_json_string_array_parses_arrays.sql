-- json_string_array turns a JSON array of strings into a SQL array on every dialect.
with parsed as (
    select {{ json_string_array("'[\"energy\", \"oceans\"]'") }} as topics
)

select topics
from parsed
where not (topics = {{ dbt.array_construct(["'energy'", "'oceans'"], dbt.type_string()) }})
