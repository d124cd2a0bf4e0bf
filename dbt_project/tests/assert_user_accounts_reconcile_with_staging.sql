-- Every account of every staging user table appears exactly once in the account model, and
-- the account model holds no account that staging lacks; dim_user's persons hold every
-- account once (their account counts add up to the account model's rows).
with staged as (
    {%- for platform, source, model in [
        ('mitxonline', 'app', 'stg__mitxonline__app__postgres__users_user'),
        ('mitxonline', 'openedx', 'stg__mitxonline__openedx__mysql__auth_user'),
        ('xpro', 'app', 'stg__xpro__app__postgres__users_user'),
        ('xpro', 'openedx', 'stg__xpro__openedx__mysql__auth_user'),
        ('micromasters', 'app', 'stg__micromasters__app__postgres__auth_user'),
        ('bootcamps', 'app', 'stg__bootcamps__app__postgres__auth_user'),
        ('mitlearn', 'app', 'stg__mitlearn__app__postgres__users_user'),
        ('emeritus', 'partner', 'stg__emeritus__api__bigquery__user_enrollments'),
        ('global_alumni', 'partner', 'stg__global_alumni__api__bigquery__user_enrollments'),
    ] %}
    select distinct '{{ platform }}' as platform_readable_id, '{{ source }}' as user_account_source,
        cast(user_id as bigint) as user_id
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

modelled as (
    select platform_readable_id, user_account_source, cast(user_id as bigint) as user_id,
        count(*) as n
    from {{ ref('int__combined__user_accounts') }}
    where platform_readable_id in (
        'mitxonline', 'xpro', 'micromasters', 'bootcamps', 'mitlearn', 'emeritus', 'global_alumni'
    )
    group by platform_readable_id, user_account_source, cast(user_id as bigint)
)

select
    coalesce(staged.platform_readable_id, modelled.platform_readable_id) as platform_readable_id,
    coalesce(staged.user_account_source, modelled.user_account_source) as user_account_source,
    coalesce(staged.user_id, modelled.user_id) as user_id,
    coalesce(modelled.n, 0) as times_in_account_model
from staged
full outer join modelled
    on staged.platform_readable_id = modelled.platform_readable_id
    and staged.user_account_source = modelled.user_account_source
    and staged.user_id = modelled.user_id
where staged.user_id is null or modelled.user_id is null or modelled.n <> 1

union all

select 'dim_user', 'all', null, people.accounts
from (select sum(user_account_count) as accounts from {{ ref('dim_user') }}) as people
cross join (select count(*) as accounts from {{ ref('int__combined__user_accounts') }}) as rows_
where people.accounts <> rows_.accounts
