{#- Helpers of the intermediate / dimensional layers; every one compiles for Trino and DuckDB. -#}

{#-
  The platforms of the warehouse: readable id -> name. dim_platform lists them; the
  intermediate models stamp their rows with platform_name('<readable id>').
-#}
{% macro ol_platforms() -%}
  {{ return([
    ("mitxonline", "MITx Online", "https://mitxonline.mit.edu"),
    ("xpro", "xPRO", "https://xpro.mit.edu"),
    ("edxorg", "edX.org", "https://www.edx.org"),
    ("bootcamps", "Bootcamps", "https://bootcamps.mit.edu"),
    ("residential", "Residential MITx", "https://lms.mitx.mit.edu"),
    ("micromasters", "MicroMasters", "https://micromasters.mit.edu"),
    ("emeritus", "Emeritus", "https://emeritus.org"),
    ("global_alumni", "Global Alumni", "https://globalalumni.org"),
    ("ocw", "OCW", "https://ocw.mit.edu"),
    ("mitpe", "MIT Professional Education", "https://professional.mit.edu"),
    ("sloan_executive_education", "MIT Sloan Executive Education", "https://executive.mit.edu"),
    ("oll", "Open Learning Library", "https://openlearninglibrary.mit.edu"),
    ("mit_climate", "MIT Climate Portal", "https://climate.mit.edu"),
    ("mitlearn", "MIT Learn", "https://learn.mit.edu"),
  ]) }}
{%- endmacro %}

{#- The display name of a platform, as a SQL string literal. -#}
{% macro platform_name(platform_readable_id) -%}
  {%- for readable_id, name, url in ol_platforms() if readable_id == platform_readable_id -%}
    '{{ name }}'
  {%- else -%}
    {{ exceptions.raise_compiler_error("platform_name: unknown platform '" ~ platform_readable_id ~ "'; add it to ol_platforms() in macros/cross_db_dims.sql") }}
  {%- endfor -%}
{%- endmacro %}

{#-
  A surrogate key: the hash of the fields' text, '-'-separated, nulls as '_null_' (as
  dbt_utils.generate_surrogate_key), through dbt's cross-database dbt.hash / dbt.concat.
-#}
{% macro generate_surrogate_key(fields) -%}
  {%- set parts = [] -%}
  {%- for field in fields -%}
    {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
    {%- if not loop.last %}{% do parts.append("'-'") %}{% endif -%}
  {%- endfor -%}
  {{ dbt.hash(parts[0] if parts | length == 1 else dbt.concat(parts)) }}
{%- endmacro %}

{#-
  Type-2 history of a raw Airbyte table, which keeps one row version per extraction.
  `relation` (a CTE) must expose `key`, the `attributes`, _airbyte_extracted_at and
  _airbyte_raw_id. A version starts whenever the attributes differ from the previous
  extraction (A -> B -> A gives three versions); effective_date = the first extraction of the
  version, end_date = the next version's effective_date, is_current = end_date is null.
  Windows in subqueries, no QUALIFY: runs on Trino and DuckDB.
-#}
{% macro raw_version_history(relation, key, attributes) -%}
  {%- set hashed_parts = [] -%}
  {%- for attribute in attributes -%}
    {%- do hashed_parts.append("coalesce(cast(" ~ attribute ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
    {%- if not loop.last %}{% do hashed_parts.append("'|'") %}{% endif -%}
  {%- endfor -%}
  select
    {{ key }},
    {{ attributes | join(",\n    ") }},
    effective_date,
    end_date,
    end_date is null as is_current
  from (
    select
      *,
      _airbyte_extracted_at as effective_date,
      lead(_airbyte_extracted_at) over (
        partition by {{ key }} order by _airbyte_extracted_at
      ) as end_date
    from (
      select
        *,
        lag(_version_hash) over (
          partition by {{ key }} order by _airbyte_extracted_at
        ) as _previous_version_hash
      from (
        select
          *,
          {{ dbt.hash(hashed_parts[0] if hashed_parts | length == 1 else dbt.concat(hashed_parts)) }}
            as _version_hash
        from (
          select
            *,
            row_number() over (
              partition by {{ key }}, _airbyte_extracted_at order by _airbyte_raw_id
            ) as _extraction_rank
          from {{ relation }}
        ) as ranked
        where _extraction_rank = 1
      ) as hashed
    ) as changes
    where _previous_version_hash is null or _previous_version_hash <> _version_hash
  ) as versions
{%- endmacro %}

{#- The type of timestamps with time zone (raw timestamps are UTC timestamptz). -#}
{% macro type_timestamptz() -%}
  {{ return(adapter.dispatch("type_timestamptz", "ol_dbt")()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
  timestamp(6) with time zone
{%- endmacro %}

{% macro duckdb__type_timestamptz() -%}
  timestamp with time zone
{%- endmacro %}

{#-
  The course key of an Open edX course-run key: course-v1:MITxT+14.100x+1T2023 ->
  course-v1:MITxT+14.100x (null for keys of another shape).
-#}
{% macro course_readable_id_from_courserun(column) -%}
  case
    when {{ column }} like 'course-v1:%+%+%'
      then {{ dbt.concat([dbt.split_part(column, "'+'", 1), "'+'", dbt.split_part(column, "'+'", 2)]) }}
  end
{%- endmacro %}

{#- The dim_date key of a date or timestamp: the integer yyyymmdd (null stays null). -#}
{% macro date_key(column) -%}
  {{ return(adapter.dispatch("date_key", "ol_dbt")(column)) }}
{%- endmacro %}

{% macro default__date_key(column) -%}
  cast(format_datetime(cast({{ column }} as timestamp), 'yyyyMMdd') as integer)
{%- endmacro %}

{% macro duckdb__date_key(column) -%}
  cast(strftime(cast({{ column }} as timestamp), '%Y%m%d') as integer)
{%- endmacro %}
