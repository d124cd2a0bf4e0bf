-- Pairs of accounts known to be one person, one row per (from account, to account, rule): the
-- evidence behind dim_user's grouping. from_platform = to_platform links a platform's
-- application account to its Open edX account; different platforms are the same learner
-- seen by two applications (a shared sign-in identifier or email).
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
)

select
    links.user_account_link_pk,
    links.from_platform,
    links.from_user_account_source,
    links.from_user_id,
    links.to_platform,
    links.to_user_account_source,
    links.to_user_id,
    links.observed_on,
    links.link_rule,
    from_account.user_account_pk as from_user_account_fk,
    to_account.user_account_pk as to_user_account_fk,
    from_account.user_fk
from {{ ref('int__combined__user_account_links') }} as links
inner join accounts as from_account
    on links.from_platform = from_account.platform_readable_id
    and links.from_user_account_source = from_account.user_account_source
    and links.from_user_id = from_account.user_id
inner join accounts as to_account
    on links.to_platform = to_account.platform_readable_id
    and links.to_user_account_source = to_account.user_account_source
    and links.to_user_id = to_account.user_id
