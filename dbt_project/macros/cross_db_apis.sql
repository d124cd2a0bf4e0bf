{#- Dialect differences needed by the API / archive staging models (see macros/cross_db.sql). -#}

{#-
  A 'YYYY-MM-DD HH:MM:SS' text timestamp (edX.org TSV dumps, in UTC) as a timestamp with
  time zone; empty or unparseable text gives null.
-#}
{% macro utc_timestamp_from_text(column) -%}
  {{ return(adapter.dispatch("utc_timestamp_from_text", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__utc_timestamp_from_text(column) -%}
  with_timezone(try_cast(nullif(trim({{ column }}), '') as timestamp(6)), 'UTC')
{%- endmacro %}

{% macro duckdb__utc_timestamp_from_text(column) -%}
  timezone('UTC', try_cast(nullif(trim({{ column }}), '') as timestamp))
{%- endmacro %}

{#- One scalar of a JSON object kept as text, as varchar (null when absent). -#}
{% macro json_text_at(column, path) -%}
  {{ return(adapter.dispatch("json_text_at", "ol_dbt")(column, path)) }}
{%- endmacro %}

{% macro default__json_text_at(column, path) -%}
  json_extract_scalar({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text_at(column, path) -%}
  json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{#- The number of elements of a JSON array kept as text (null when the text is null). -#}
{% macro json_array_size(column) -%}
  {{ return(adapter.dispatch("json_array_size", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__json_array_size(column) -%}
  cast(json_array_length(json_parse({{ column }})) as bigint)
{%- endmacro %}

{% macro duckdb__json_array_size(column) -%}
  cast(json_array_length(json({{ column }})) as bigint)
{%- endmacro %}

{#-
  The distinct values of one string field across a JSON array of objects kept as text,
  sorted, as a SQL array of varchar: '[{"language":"en"},{"language":"zh"},{"language":"en"}]'
  with field 'language' gives ['en', 'zh'].
-#}
{% macro json_array_distinct_field(column, field) -%}
  {{ return(adapter.dispatch("json_array_distinct_field", "ol_dbt")(column, field)) }}
{%- endmacro %}

{% macro default__json_array_distinct_field(column, field) -%}
  array_sort(array_distinct(filter(
    transform(
      cast(json_parse({{ column }}) as array(json)),
      element -> json_extract_scalar(element, '$.{{ field }}')
    ),
    value -> value is not null
  )))
{%- endmacro %}

{% macro duckdb__json_array_distinct_field(column, field) -%}
  list_sort(list_distinct(json_extract_string({{ column }}, '$[*].{{ field }}')))
{%- endmacro %}

{#-
  One string field of each object of a JSON array kept as text, in the array's order, joined
  with `separator` (a SQL string literal): '[{"value":{"name":"A"}},{"value":{"name":"B"}}]'
  with field 'value.name' gives 'A, B' for ', '. Objects without the field are left out.
-#}
{% macro join_json_array_field(column, field, separator) -%}
  {{ return(adapter.dispatch("join_json_array_field", "ol_dbt")(column, field, separator)) }}
{%- endmacro %}

{% macro default__join_json_array_field(column, field, separator) -%}
  array_join(filter(
    transform(
      cast(json_parse({{ column }}) as array(json)),
      element -> json_extract_scalar(element, '$.{{ field }}')
    ),
    value -> value is not null
  ), {{ separator }})
{%- endmacro %}

{% macro duckdb__join_json_array_field(column, field, separator) -%}
  array_to_string(json_extract_string({{ column }}, '$[*].{{ field }}'), {{ separator }})
{%- endmacro %}

{#- A JSON value (object or array) inside JSON text, as JSON text (null when absent). -#}
{% macro json_text_of(column, path) -%}
  {{ return(adapter.dispatch("json_text_of", "ol_dbt")(column, path)) }}
{%- endmacro %}

{% macro default__json_text_of(column, path) -%}
  json_format(json_extract({{ column }}, '{{ path }}'))
{%- endmacro %}

{% macro duckdb__json_text_of(column, path) -%}
  cast(json_extract({{ column }}, '{{ path }}') as varchar)
{%- endmacro %}

{#- The elements of a SQL array of varchar joined with `separator` (a SQL string literal). -#}
{% macro array_join_text(array, separator) -%}
  {{ return(adapter.dispatch("array_join_text", "ol_dbt")(array, separator)) }}
{%- endmacro %}

{% macro default__array_join_text(array, separator) -%}
  array_join({{ array }}, {{ separator }})
{%- endmacro %}

{% macro duckdb__array_join_text(array, separator) -%}
  array_to_string({{ array }}, {{ separator }})
{%- endmacro %}
