-- Every profile value an account system's model carries (user_account_models()) reaches its
-- account in int__combined__user_accounts unchanged, for every system that has a profile:
-- a row here is an account whose profile column lost or changed its value on the way.
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
)

{%- set checks = [] %}
{%- for platform_readable_id, model, profile, account_source in user_account_models() if profile %}
{%- for column, type in carried_profile_columns(profile) %}
{%- do checks.append((platform_readable_id, model, account_source, column, type)) %}
{%- endfor %}
{%- endfor %}

{%- for platform_readable_id, model, account_source, column, type in checks %}
select
    '{{ platform_readable_id }}' as platform_readable_id,
    cast(source.user_id as {{ dbt.type_string() }}) as user_id,
    '{{ column }}' as profile_column
from {{ ref(model) }} as source
left join accounts
    on accounts.platform_readable_id = '{{ platform_readable_id }}'
    and accounts.user_account_source = {{ "'" ~ account_source ~ "'" if account_source
        else "source.user_account_source" }}
    and accounts.user_id = source.user_id
where accounts.user_id is null
    or accounts.{{ column }} is distinct from cast(source.{{ column }} as {{ type }})
{{ "union all" if not loop.last }}
{%- endfor %}
