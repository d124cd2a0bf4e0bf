{#-
  Open edX user profiles store gender and level of education as short codes; these give the
  readable values (unknown or blank codes stay null).
-#}

{% macro openedx_profile_gender(column) -%}
  case {{ column }}
    when 'm' then 'Male'
    when 'f' then 'Female'
    when 'o' then 'Other/Prefer Not to Say'
  end
{%- endmacro %}

{% macro openedx_profile_education(column) -%}
  case {{ column }}
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

{#- Text with every run of whitespace made one space, trimmed; blank is null. -#}
{% macro squeeze_whitespace(column) -%}
  nullif(trim({{ adapter.dispatch("regexp_replace_all", "ol_dbt")(column, "'\\s+'", "' '") }}), '')
{%- endmacro %}

{% macro default__regexp_replace_all(column, pattern, replacement) -%}
  regexp_replace({{ column }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{% macro duckdb__regexp_replace_all(column, pattern, replacement) -%}
  regexp_replace({{ column }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
