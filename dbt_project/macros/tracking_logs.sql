{#- Helpers of the tracking-log event models (tfact_video_events, tfact_problem_events, ...). -#}

{#-
  The deployments whose tracking logs the event facts read: the platform, the staging model,
  and the account system (int__combined__user_accounts.user_account_source) whose user ids
  the events' context.user_id are.
-#}
{% macro tracking_log_deployments() -%}
  {{ return([
    {"platform": "mitxonline", "account_source": "openedx",
     "staging": "stg__mitxonline__openedx__tracking_logs__user_activity"},
    {"platform": "xpro", "account_source": "openedx",
     "staging": "stg__mitxpro__openedx__tracking_logs__user_activity"},
    {"platform": "residential", "account_source": "openedx",
     "staging": "stg__mitxresidential__openedx__tracking_logs__user_activity"},
    {"platform": "edxorg", "account_source": "openedx",
     "staging": "stg__edxorg__s3__tracking_logs__user_activity"},
  ]) }}
{%- endmacro %}

{#-
  Config of an event fact: merged on event_id, new events read as they land (new_rows), so a
  late event is picked up whenever it lands. An event_id hashes the
  log line, time included: its rows share event_timestamp, which bounds the merge's search
  for existing keys (merge_range_column, DuckDB over Iceberg).
-#}
{% macro event_fact_config() -%}
  {{ return({
    "materialized": "incremental",
    "incremental_strategy": "merge",
    "unique_key": "event_id",
    "merge_range_column": "event_timestamp",
    "on_schema_change": "append_new_columns",
  }) }}
{%- endmacro %}

{#- A JSON object or array inside a JSON text, as JSON text (null when absent). -#}
{% macro json_object_at(column, path) -%}
  {{ return(adapter.dispatch("json_object_at", "ol_dbt")(column, path)) }}
{%- endmacro %}

{% macro default__json_object_at(column, path) -%}
  json_format(json_extract({{ column }}, '{{ path }}'))
{%- endmacro %}

{% macro duckdb__json_object_at(column, path) -%}
  cast(json_extract({{ column }}, '{{ path }}') as varchar)
{%- endmacro %}

{#- A number inside a JSON text as a double; text that is no number gives null. -#}
{% macro json_number_at(column, path) -%}
  try_cast({{ json_text_at(column, path) }} as double)
{%- endmacro %}

{#- A timestamp with time zone as ISO 8601 text in UTC. -#}
{% macro iso8601_text(column) -%}
  {{ return(adapter.dispatch("iso8601_text", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__iso8601_text(column) -%}
  to_iso8601(at_timezone({{ column }}, 'UTC'))
{%- endmacro %}

{% macro duckdb__iso8601_text(column) -%}
  strftime(timezone('UTC', {{ column }}), '%Y-%m-%dT%H:%M:%S.%fZ')
{%- endmacro %}

{#- The time-of-day key of a timestamp: the integer hhmmss (UTC). -#}
{% macro time_key(column) -%}
  {{ return(adapter.dispatch("time_key", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__time_key(column) -%}
  cast(format_datetime(at_timezone({{ column }}, 'UTC'), 'HHmmss') as integer)
{%- endmacro %}

{% macro duckdb__time_key(column) -%}
  cast(strftime(timezone('UTC', {{ column }}), '%H%M%S') as integer)
{%- endmacro %}

{#-
  The usage key of a block of a course run, from the run key and the block's id:
  course-v1:MITxT+14.100x+1T2023, video, 3f2a.. -> block-v1:MITxT+14.100x+1T2023+type@video+block@3f2a..
  (null for run keys of another shape).
-#}
{% macro block_usage_key(courserun_column, block_type, block_id_column) -%}
  case
    when {{ courserun_column }} like 'course-v1:%' and {{ block_id_column }} is not null
      then {{ dbt.concat([
        "'block-v1:'", "substr(" ~ courserun_column ~ ", 11)",
        "'+type@" ~ block_type ~ "+block@'", block_id_column]) }}
  end
{%- endmacro %}
