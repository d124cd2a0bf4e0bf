{#-
  Calendar helpers of dim_date; each dispatches where DuckDB and Trino differ.
-#}

{#- One row per day from start_date to end_date (inclusive, 'yyyy-mm-dd'), column date_day. -#}
{% macro day_series(start_date, end_date) -%}
  {{ return(adapter.dispatch("day_series", "ol_dbt")(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
  select date_day
  from unnest(
    sequence(date '{{ start_date }}', date '{{ end_date }}', interval '1' day)
  ) as days (date_day)
{%- endmacro %}

{% macro duckdb__day_series(start_date, end_date) -%}
  select cast(date_day as date) as date_day
  from generate_series(
    date '{{ start_date }}', date '{{ end_date }}', interval 1 day
  ) as days (date_day)
{%- endmacro %}

{#- ISO day of the week: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(column) -%}
  {{ return(adapter.dispatch("iso_day_of_week", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(column) -%}
  day_of_week({{ column }})
{%- endmacro %}

{% macro duckdb__iso_day_of_week(column) -%}
  isodow({{ column }})
{%- endmacro %}

{#- The English name of the day: Monday ... Sunday. -#}
{% macro day_name(column) -%}
  {{ return(adapter.dispatch("day_name", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__day_name(column) -%}
  format_datetime(cast({{ column }} as timestamp), 'EEEE')
{%- endmacro %}

{% macro duckdb__day_name(column) -%}
  dayname({{ column }})
{%- endmacro %}
