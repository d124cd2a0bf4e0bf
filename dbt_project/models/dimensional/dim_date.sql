-- One row per calendar day, with MIT's fiscal year (July to June) and academic calendar
-- (Fall: September-December, IAP: January, Spring: February-May, Summer: June-August; the
-- academic year is named by the year it starts in September). The range is the project
-- variables dim_date_start / dim_date_end; the relationships tests of every fact's date key
-- fail if a fact's date falls outside it.
with days as (
    {{ day_series(var('dim_date_start', '2010-01-01'), var('dim_date_end', '2035-12-31')) }}
)

select
    {{ date_key('date_day') }} as date_key,
    date_day as date,
    year(date_day) as year,
    quarter(date_day) as quarter,
    month(date_day) as month,
    day(date_day) as day,
    {{ iso_day_of_week('date_day') }} as day_of_week,
    {{ day_name('date_day') }} as day_name,
    week(date_day) as week_of_year,
    {{ iso_day_of_week('date_day') }} >= 6 as is_weekend,
    year(date_day) + case when month(date_day) >= 7 then 1 else 0 end as fiscal_year,
    -- Q1 is July-September.
    mod(quarter(date_day) + 1, 4) + 1 as fiscal_quarter,
    case
        when month(date_day) >= 9 then 'Fall'
        when month(date_day) = 1 then 'IAP'
        when month(date_day) <= 5 then 'Spring'
        else 'Summer'
    end as academic_term,
    year(date_day) - case when month(date_day) >= 9 then 0 else 1 end as academic_year
from days
