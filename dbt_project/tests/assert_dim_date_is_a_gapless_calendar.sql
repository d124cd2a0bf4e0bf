-- dim_date has every day between its first and last date exactly once, and its derived
-- columns agree with the date (the ISO weekday of 2024-01-01 is Monday; fiscal 2025 starts
-- on 2024-07-01; Fall 2024 is academic year 2024).
with bounds as (
    select min(date) as first_day, max(date) as last_day, count(*) as n
    from {{ ref('dim_date') }}
)

select 'gaps or duplicates' as problem
from bounds
where n <> {{ dbt.datediff('first_day', 'last_day', 'day') }} + 1

union all

select 'calendar attributes' as problem
from {{ ref('dim_date') }}
where (date_key = 20240101 and not (day_of_week = 1 and day_name = 'Monday' and not is_weekend
        and fiscal_year = 2024 and fiscal_quarter = 3 and academic_term = 'IAP'
        and academic_year = 2023 and week_of_year = 1))
    or (date_key = 20240701 and not (fiscal_year = 2025 and fiscal_quarter = 1
        and academic_term = 'Summer'))
    or (date_key = 20241005 and not (is_weekend and day_name = 'Saturday' and day_of_week = 6
        and academic_term = 'Fall' and academic_year = 2024 and fiscal_quarter = 2))
