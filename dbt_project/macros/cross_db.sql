{#- Dialect differences go through dispatch: one name, one implementation per adapter. -#}

{#- A JSON array of strings kept as text, as a SQL array of varchar. -#}
{% macro json_string_array(column) -%}
  {{ return(adapter.dispatch("json_string_array", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__json_string_array(column) -%}
  cast(json_parse({{ column }}) as array(varchar))
{%- endmacro %}

{% macro duckdb__json_string_array(column) -%}
  cast(json({{ column }}) as varchar[])
{%- endmacro %}
