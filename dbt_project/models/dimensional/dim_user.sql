-- Learners across platforms, one row per (platform, account system, user id). MITx Online has
-- two account systems (app and Open edX) with separate ids, hence user_account_source in the
-- key. Bootcamps users are not ingested.
with users as (
    {%- for platform_readable_id, model in [
        ('mitxonline', 'int__mitxonline__users'),
        ('xpro', 'int__xpro__users'),
        ('edxorg', 'int__edxorg__users'),
        ('irx', 'int__irx__users'),
    ] %}
    select '{{ platform_readable_id }}' as platform_readable_id, *
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['users.platform_readable_id', 'users.user_account_source', 'users.user_id']) }}
        as user_pk,
    platforms.platform_pk as platform_fk,
    users.platform,
    users.platform_readable_id,
    users.user_account_source,
    users.user_id,
    users.user_username,
    users.user_email,
    users.user_full_name,
    users.user_joined_on,
    users.user_is_active,
    users.user_country
from users
inner join platforms on users.platform_readable_id = platforms.platform_readable_id
