-- type_timestamptz is zone-aware on every dialect: the same instant written in two offsets
-- compares equal.
with instants as (
    select
        cast('2024-01-01 05:00:00+05:00' as {{ type_timestamptz() }}) as in_plus_five,
        cast('2024-01-01 00:00:00+00:00' as {{ type_timestamptz() }}) as in_utc
)

select *
from instants
where in_plus_five <> in_utc
