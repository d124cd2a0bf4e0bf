-- json_array_size counts the elements of a JSON array kept as text.
with sized as (
    select
        {{ json_array_size("'[{\"language\":\"en\"},{\"language\":\"zh\"},{\"language\":\"en\"}]'") }} as three,
        {{ json_array_size("'[]'") }} as zero
)

select *
from sized
where three is null or three <> 3 or zero is null or zero <> 0
