-- Pairs of learner accounts that are one person, one row per (from account, to account, rule),
-- by the identifiers the applications share (int__combined__user_accounts documents the
-- rules). Each pair is stated once, from the account that points to the other.
with accounts as (
    {{ union_user_accounts() }}
),

-- An email is ambiguous when two accounts of one account system hold it: it links nothing.
unambiguous_emails as (
    select user_email_normalised
    from (
        select platform_readable_id, user_account_source, user_email_normalised, count(*) as n
        from accounts
        where user_email_normalised is not null
        group by platform_readable_id, user_account_source, user_email_normalised
    ) as per_system
    group by user_email_normalised
    having max(n) = 1
),

-- Every account holding an unambiguous email points to the email's first account (earliest
-- joined): the email's accounts then form a star, which is enough to connect them.
email_holders as (
    select
        accounts.*,
        first_value(user_account_key) over (
            partition by accounts.user_email_normalised
            order by user_joined_on nulls last, user_account_key
        ) as first_account_key
    from accounts
    inner join unambiguous_emails
        on accounts.user_email_normalised = unambiguous_emails.user_email_normalised
),

links as (
    -- The MITx Online application records the Open edX account it created for its learner.
    select
        app.user_account_key as from_account_key,
        openedx.user_account_key as to_account_key,
        'openedx_openedxuser' as link_rule,
        cast(openedxuser.openedxuser_created_on as {{ type_timestamptz() }}) as observed_on
    from {{ ref('stg__mitxonline__app__postgres__openedx_openedxuser') }} as openedxuser
    inner join accounts as app
        on app.platform_readable_id = 'mitxonline'
        and app.user_account_source = 'app'
        and app.user_id = openedxuser.user_id
    inner join accounts as openedx
        on openedx.platform_readable_id = 'mitxonline'
        and openedx.user_account_source = 'openedx'
        and openedx.user_username = openedxuser.openedxuser_username

    union all

    -- An application creates its learner's Open edX account under the learner's username.
    select
        app.user_account_key,
        openedx.user_account_key,
        'openedx_username',
        openedx.user_joined_on
    from accounts as app
    inner join accounts as openedx
        on app.platform_readable_id = openedx.platform_readable_id
        and app.user_account_source = 'app'
        and openedx.user_account_source = 'openedx'
        and app.user_username = openedx.user_username

    union all

    -- MicroMasters learners sign in with edX.org: the social-auth uid is the edX.org username.
    select
        micromasters.user_account_key,
        edxorg.user_account_key,
        'edxorg_social_auth',
        cast(social.user_auth_created_on as {{ type_timestamptz() }})
    from {{ ref('stg__micromasters__app__postgres__social_auth_usersocialauth') }} as social
    inner join accounts as micromasters
        on micromasters.platform_readable_id = 'micromasters'
        and micromasters.user_id = social.user_id
    inner join accounts as edxorg
        on edxorg.platform_readable_id = 'edxorg'
        and edxorg.user_username = social.user_username
    where social.user_auth_provider = 'edxorg'

    union all

    -- MIT Learn and MITx Online share their learners' single-sign-on identity (global id).
    select
        learn.user_account_key,
        mitxonline.user_account_key,
        'global_id',
        learn.user_joined_on
    from {{ ref('stg__mitlearn__app__postgres__users_user') }} as learn_user
    inner join {{ ref('stg__mitxonline__app__postgres__users_user') }} as mitxonline_user
        on learn_user.user_global_id = mitxonline_user.user_global_id
    inner join accounts as learn
        on learn.platform_readable_id = 'mitlearn'
        and learn.user_id = learn_user.user_id
    inner join accounts as mitxonline
        on mitxonline.platform_readable_id = 'mitxonline'
        and mitxonline.user_account_source = 'app'
        and mitxonline.user_id = mitxonline_user.user_id

    union all

    -- The same unambiguous email; observed when the later account (this one) joined.
    select
        user_account_key,
        first_account_key,
        'email',
        user_joined_on
    from email_holders
    where user_account_key <> first_account_key
)

select
    {{ generate_surrogate_key(['links.from_account_key', 'links.to_account_key', 'links.link_rule']) }}
        as user_account_link_pk,
    links.from_account_key,
    from_account.platform_readable_id as from_platform,
    from_account.user_account_source as from_user_account_source,
    from_account.user_id as from_user_id,
    links.to_account_key,
    to_account.platform_readable_id as to_platform,
    to_account.user_account_source as to_user_account_source,
    to_account.user_id as to_user_id,
    links.link_rule,
    links.observed_on
from links
inner join accounts as from_account on links.from_account_key = from_account.user_account_key
inner join accounts as to_account on links.to_account_key = to_account.user_account_key
