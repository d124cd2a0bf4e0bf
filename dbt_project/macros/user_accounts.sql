{#-
  The learner account systems: (platform_readable_id, intermediate model, profile,
  account_source). Each model has one row per account of its platform with user_id,
  user_username, user_email, user_full_name, user_joined_on, user_is_active and user_country;
  profile says which columns of user_profile_columns() it also carries: true (all of them),
  a list of their names (the others are null for its accounts), or false (none). A model has
  the columns platform and user_account_source, or holds the accounts of one account system
  only, named by account_source (its platform is then platform_name(platform_readable_id)).
  A new account system is one line here.
-#}
{% macro user_account_models() -%}
  {%- set _partner_profile = [
      "user_address_state", "user_address_city", "user_address_postal_code",
      "user_street_address", "user_gender", "user_company", "user_job_title", "user_industry"] %}
  {{ return([
    ("mitxonline", "int__mitxonline__users", true, none),
    ("xpro", "int__xpro__users", true, none),
    ("edxorg", "int__edxorg__mitx_users",
      ["user_last_login", "user_highest_education", "user_gender", "user_birth_year"],
      "openedx"),
    ("micromasters", "int__micromasters__users", true, none),
    ("bootcamps", "int__bootcamps__users", true, none),
    ("mitlearn", "int__mitlearn__users", true, none),
    ("residential", "int__mitxresidential__user_accounts",
      ["user_last_login", "user_address_city", "user_highest_education", "user_gender",
       "user_birth_year"],
      none),
    ("emeritus", "int__emeritus__users", _partner_profile, "partner"),
    ("global_alumni", "int__global_alumni__users", _partner_profile, "partner"),
  ]) }}
{%- endmacro %}

{#- Profile columns (name, SQL type) an account model may carry; null for the others. -#}
{% macro user_profile_columns() -%}
  {{ return([
    ("user_last_login", type_timestamptz()),
    ("user_address_state", dbt.type_string()),
    ("user_address_city", dbt.type_string()),
    ("user_address_postal_code", dbt.type_string()),
    ("user_street_address", dbt.type_string()),
    ("user_highest_education", dbt.type_string()),
    ("user_gender", dbt.type_string()),
    ("user_birth_year", dbt.type_int()),
    ("user_company", dbt.type_string()),
    ("user_job_title", dbt.type_string()),
    ("user_industry", dbt.type_string()),
  ]) }}
{%- endmacro %}

{#- The profile columns (name, SQL type) an account system carries, given its `profile` entry
    in user_account_models(): true (all), a list of names, or false (none). -#}
{% macro carried_profile_columns(profile) -%}
  {%- set carried = [] -%}
  {%- for column, type in user_profile_columns()
      if profile is sameas true or (profile and column in profile) -%}
    {%- do carried.append((column, type)) -%}
  {%- endfor -%}
  {{ return(carried) }}
{%- endmacro %}

{#-
  Every account of every system, one row each: the base columns, plus the profile columns
  when with_profile (null where a system has none), plus user_account_key, the account's
  text key '<platform>:<account source>:<user id>'.
-#}
{% macro union_user_accounts(with_profile=false) -%}
  {%- for platform_readable_id, model, profile, account_source in user_account_models() %}
  {%- set user_account_source = "'" ~ account_source ~ "'" if account_source
      else 'user_account_source' %}
  select
    '{{ platform_readable_id }}' as platform_readable_id,
    {{ platform_name(platform_readable_id) ~ ' as platform' if account_source else 'platform' }},
    {{ user_account_source }} as user_account_source,
    user_id,
    '{{ platform_readable_id }}:' || {{ user_account_source }} || ':'
      || cast(user_id as {{ dbt.type_string() }}) as user_account_key,
    user_username,
    user_email,
    nullif(lower(trim(user_email)), '') as user_email_normalised,
    user_full_name,
    cast(user_joined_on as {{ type_timestamptz() }}) as user_joined_on,
    user_is_active,
    user_country
    {%- if with_profile %}
    {%- set carried = carried_profile_columns(profile) %}
    {%- for column, type in user_profile_columns() %},
    {% if (column, type) in carried %}cast({{ column }} as {{ type }}){% else %}cast(null as {{ type }}){% endif %} as {{ column }}
    {%- endfor %}
    {%- endif %}
  from {{ ref(model) }}
  {{ "union all" if not loop.last }}
  {%- endfor %}
{%- endmacro %}
