{#-
  Airbyte appends a row per extraction; keep the newest extraction of each primary key.
  Written with a window in a subquery (no QUALIFY) so it runs on Trino and DuckDB alike.
-#}
{% macro deduplicate_raw_table(relation, primary_key) -%}
  {%- set keys = [primary_key] if primary_key is string else primary_key -%}
  select * from (
    select
      *,
      row_number() over (
        partition by {{ keys | join(", ") }}
        order by _airbyte_extracted_at desc
      ) as _dedupe_rank
    from {{ relation }}
  ) as ranked
  where _dedupe_rank = 1
{%- endmacro %}
