-- utc_timestamp_from_text reads an edX.org dump timestamp as UTC and turns blanks into null.
with parsed as (
    select
        {{ utc_timestamp_from_text("'2023-03-28 10:20:38'") }} as parsed_value,
        {{ utc_timestamp_from_text("''") }} as blank_value,
        {{ utc_timestamp_from_text("'not a date'") }} as garbage_value
)

select *
from parsed
where parsed_value is null
    or parsed_value <> cast('2023-03-28 10:20:38+00:00' as timestamp with time zone)
    or blank_value is not null
    or garbage_value is not null
