-- raw_version_history (macros/cross_db_dims.sql) on fixed extractions: key 1 goes A, A, B, A
-- (three versions: A again after B is a new version); key 2 has one extraction loaded twice.
with extractions as (
    select * from (
        values
            (1, 'A', 'r1', timestamp '2024-01-01 00:00:00'),
            (1, 'A', 'r2', timestamp '2024-01-02 00:00:00'),
            (1, 'B', 'r3', timestamp '2024-01-03 00:00:00'),
            (1, 'A', 'r4', timestamp '2024-01-04 00:00:00'),
            (2, 'X', 'r5', timestamp '2024-01-01 00:00:00'),
            (2, 'X', 'r6', timestamp '2024-01-01 00:00:00')
    ) as e (k, attribute, _airbyte_raw_id, _airbyte_extracted_at)
),

actual as (
    {{ raw_version_history('extractions', 'k', ['attribute']) }}
),

expected as (
    select * from (
        values
            (1, 'A', timestamp '2024-01-01 00:00:00', timestamp '2024-01-03 00:00:00', false),
            (1, 'B', timestamp '2024-01-03 00:00:00', timestamp '2024-01-04 00:00:00', false),
            (1, 'A', timestamp '2024-01-04 00:00:00', cast(null as timestamp), true),
            (2, 'X', timestamp '2024-01-01 00:00:00', cast(null as timestamp), true)
    ) as x (k, attribute, effective_date, end_date, is_current)
),

missing as (
    select * from expected
    except
    select k, attribute, effective_date, end_date, is_current from actual
),

unexpected as (
    select k, attribute, effective_date, end_date, is_current from actual
    except
    select * from expected
)

select 'missing' as problem, * from missing
union all
select 'unexpected' as problem, * from unexpected
