-- Every learner account on every platform, one row per (platform, account system, user id),
-- with the person it belongs to (user_fk -> dim_user.user_pk).
--
-- Linking rules, in order (a later rule never splits what an earlier one joined):
--   1. An Open edX account and its platform's application account with the same username are
--      one person (the applications create the Open edX account under the learner's username).
--   2. Accounts on any platform whose normalised email (trimmed, lower-cased) is the same are
--      one person, unless that email is held by more than one account of the same account
--      system: then the email is ambiguous and links nothing (each account stays its own
--      person unless rule 1 joins it).
--   3. Otherwise the account is a person of its own.
-- Facts resolve their learner with this model: join on (platform_readable_id,
-- user_account_source, user_id) and take user_fk.
with accounts as (
    {%- for platform_readable_id, model in [
        ('mitxonline', 'int__mitxonline__users'),
        ('xpro', 'int__xpro__users'),
        ('edxorg', 'int__edxorg__users'),
        ('residential', 'int__mitxresidential__user_accounts'),
    ] %}
    select '{{ platform_readable_id }}' as platform_readable_id, *
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        accounts.*,
        nullif(lower(trim(user_email)), '') as user_email_normalised,
        count(*) over (
            partition by platform_readable_id, user_account_source,
                nullif(lower(trim(user_email)), '')
        ) as n_in_system
    from accounts
),

-- Rule 2's ambiguity: an email held by two accounts of one account system links nothing.
unambiguous_emails as (
    select user_email_normalised
    from counted
    where user_email_normalised is not null
    group by user_email_normalised
    having max(n_in_system) = 1
),

keyed as (
    select
        counted.*,
        coalesce(
            'email:' || emails.user_email_normalised,
            'account:' || counted.platform_readable_id || ':' || counted.user_account_source
                || ':' || cast(counted.user_id as {{ dbt.type_string() }})
        ) as own_key
    from counted
    left join unambiguous_emails as emails
        on counted.user_email_normalised = emails.user_email_normalised
),

-- Rule 1: an Open edX account takes the key of its platform's application account.
linked as (
    select
        keyed.*,
        coalesce(app.own_key, keyed.own_key) as person_key
    from keyed
    left join keyed as app
        on keyed.user_account_source = 'openedx'
        and app.user_account_source = 'app'
        and keyed.platform_readable_id = app.platform_readable_id
        and keyed.user_username = app.user_username
)

select
    {{ generate_surrogate_key(['platform_readable_id', 'user_account_source', 'user_id']) }}
        as user_account_pk,
    {{ generate_surrogate_key(['person_key']) }} as user_fk,
    platform,
    platform_readable_id,
    user_account_source,
    user_id,
    user_username,
    user_email,
    user_full_name,
    user_joined_on,
    user_is_active,
    user_country
from linked
