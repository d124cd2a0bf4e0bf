{#- Labels of the coded profile fields the learner applications store (Django choices). -#}

{#- Gender codes of MITx Online, xPRO, Bootcamps, MicroMasters and Open edX profiles. -#}
{% macro gender_label(column) -%}
  case {{ column }}
    when 'm' then 'Male'
    when 'f' then 'Female'
    when 't' then 'Transgender'
    when 'nb' then 'Non-binary/non-conforming'
    when 'o' then 'Other/Prefer Not to Say'
    when '' then null
    else {{ column }}
  end
{%- endmacro %}

{#- Open edX level-of-education codes (MicroMasters profiles and education rows). -#}
{% macro education_label(column) -%}
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
    when '' then null
    else {{ column }}
  end
{%- endmacro %}

{#- Company-size choices (employee-count upper bounds) of the MITx Online, xPRO and Bootcamps
    profiles. -#}
{% macro company_size_label(column) -%}
  case {{ column }}
    when 1 then 'Small/Start-up (1+ employees)'
    when 9 then 'Small/Home office (1-9 employees)'
    when 99 then 'Small (10-99 employees)'
    when 999 then 'Small to medium-sized (100-999 employees)'
    when 9999 then 'Medium-sized (1000-9999 employees)'
    when 10000 then 'Large Enterprise (10,000+ employees)'
    when 0 then 'Other (N/A or Don''t know)'
    else cast({{ column }} as {{ dbt.type_string() }})
  end
{%- endmacro %}

{#- Years-of-experience choices (upper bounds) of the same profiles. -#}
{% macro years_experience_label(column) -%}
  case {{ column }}
    when 2 then 'Less than 2 years'
    when 5 then '2-5 years'
    when 10 then '6 - 10 years'
    when 15 then '11 - 15 years'
    when 20 then '16 - 20 years'
    when 21 then 'More than 20 years'
    when 0 then 'Prefer not to say'
    else cast({{ column }} as {{ dbt.type_string() }})
  end
{%- endmacro %}

{#- Collapse runs of spaces in a name ('Ana  Lopez' -> 'Ana Lopez'); blank -> null. -#}
{% macro clean_name(column) -%}
  {{ return(adapter.dispatch("clean_name", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__clean_name(column) -%}
  nullif(trim(regexp_replace({{ column }}, ' +', ' ')), '')
{%- endmacro %}

{#- DuckDB replaces only the first match unless told 'g'. -#}
{% macro duckdb__clean_name(column) -%}
  nullif(trim(regexp_replace({{ column }}, ' +', ' ', 'g')), '')
{%- endmacro %}

{#- A street address from its numbered lines, one per line, blanks skipped. -#}
{% macro street_address(columns) -%}
  nullif(concat_ws(chr(10)
    {%- for column in columns %}, nullif(trim({{ column }}), ''){% endfor -%}
  ), '')
{%- endmacro %}
