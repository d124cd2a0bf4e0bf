{#- Helpers of the edX.org staging models (archives, IRx BigQuery, S3 reports). -#}

{#-
  edX.org's run key of an IRx course id. IRx names runs the legacy way
  ({org}/{number}/{run}); the archives and the discovery reports use
  course-v1:{org}+{number}+{run}, which the warehouse keys edX.org runs on.
-#}
{% macro edxorg_courserun_key(column) -%}
  case
    when {{ column }} like 'course-v1:%' then {{ column }}
    when {{ column }} like '%/%/%' then {{ dbt.concat(["'course-v1:'", "replace(" ~ column ~ ", '/', '+')"]) }}
  end
{%- endmacro %}

{#-
  The platform a course id of the IRx exports belongs to: IRx also exports MITx Online (org
  MITxT) and xPRO (MITxPRO) learners; edX.org's are org MITx.
-#}
{% macro edxorg_courserun_platform(column) -%}
  case
    when {{ column }} like 'MITx/%' or {{ column }} like 'course-v1:MITx+%' then 'edxorg'
    when {{ column }} like 'MITxT/%' or {{ column }} like 'course-v1:MITxT+%' then 'mitxonline'
    when {{ column }} like 'MITxPRO/%' or {{ column }} like 'course-v1:MITxPRO+%'
      or {{ column }} like 'xPRO/%' or {{ column }} like 'course-v1:xPRO+%' then 'xpro'
  end
{%- endmacro %}

{#- edX.org's gender codes (m, f, o) as words; blank or unknown codes are null. -#}
{% macro edxorg_gender(column) -%}
  case lower(trim({{ column }}))
    when 'm' then 'Male'
    when 'f' then 'Female'
    when 'o' then 'Other/Prefer Not to Say'
  end
{%- endmacro %}

{#- edX.org's level-of-education codes as words; blank or unknown codes are null. -#}
{% macro edxorg_education(column) -%}
  case lower(trim({{ column }}))
    when 'p' then 'Doctorate'
    when 'm' then 'Master''s or professional degree'
    when 'b' then 'Bachelor''s degree'
    when 'a' then 'Associate degree'
    when 'hs' then 'Secondary/high school'
    when 'jhs' then 'Junior secondary/junior high/middle school'
    when 'el' then 'Elementary/primary school'
    when 'none' then 'No formal education'
    when 'other' then 'Other education'
  end
{%- endmacro %}

{#- Whether a text is an ISO 3166 alpha-2 country code (two capital letters). -#}
{% macro is_country_code(column) -%}
  {{ return(adapter.dispatch("is_country_code", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__is_country_code(column) -%}
  coalesce(regexp_like({{ column }}, '^[A-Z]{2}$'), false)
{%- endmacro %}

{% macro duckdb__is_country_code(column) -%}
  coalesce(regexp_full_match({{ column }}, '[A-Z]{2}'), false)
{%- endmacro %}

{#-
  A timestamp of the edX.org program learner report, text like '2024-01-10 15:00:00 Z' or
  'null' (the report writes the word).
-#}
{% macro edxorg_report_timestamp(column) -%}
  {{ utc_timestamp_from_text("replace(nullif(" ~ column ~ ", 'null'), ' Z', '')") }}
{%- endmacro %}

{#- A boolean of the program learner report, text 'true' / 'false' / 'null'. -#}
{% macro edxorg_report_boolean(column) -%}
  case lower({{ column }}) when 'true' then true when 'false' then false end
{%- endmacro %}

{#- The elements of an array of text joined into one text with `separator`. -#}
{% macro join_text_array(column, separator) -%}
  {{ return(adapter.dispatch("join_text_array", "ol_dbt")(column, separator)) }}
{%- endmacro %}

{% macro default__join_text_array(column, separator) -%}
  array_join({{ column }}, '{{ separator }}')
{%- endmacro %}

{% macro duckdb__join_text_array(column, separator) -%}
  array_to_string({{ column }}, '{{ separator }}')
{%- endmacro %}
