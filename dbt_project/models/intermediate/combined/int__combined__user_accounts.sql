-- Every learner account on every platform, one row per (platform, account system, user id),
-- with the person it belongs to (user_fk -> dim_user.user_pk). The account systems are listed
-- in the macro user_account_models(); the pairs of accounts that are one person, and the rule
-- behind each, in int__combined__user_account_links. A person is a connected component of
-- those links (links are transitive): found by label propagation, where every account starts
-- labelled with its own key and each pass gives every group of accounts sharing a label the
-- smallest label among the group and its linked neighbours. Facts resolve their learner with
-- this model: join on (platform_readable_id, user_account_source, user_id) and take user_fk.
{#-
  Passes: a pass merges every group with all the groups it links to, so a person's accounts
  converge within as many passes as the longest chain of links between two of them. The email
  rule joins all holders of an email in one pass (a star on its first account); the identifier
  rules each link two different systems (MITx Online app-Open edX, xPRO app-Open edX,
  MicroMasters-edX.org, MIT Learn-MITx Online app), so a chain alternates at most 4
  identifier links with email stars: 9 links. 10 passes leave a margin (the sample data
  converges in 3); the test assert_user_account_links_converged fails if a
  link still joins two different people.
-#}
{%- set passes = var('user_link_passes', 10) %}
with accounts as (
    {{ union_user_accounts(with_profile=true) }}
),

-- Each account linked to itself and to the accounts linked to it, in both directions.
neighbourhoods as (
    select user_account_key as account_key, user_account_key as linked_key from accounts
    union all
    select from_account_key, to_account_key
    from {{ ref('int__combined__user_account_links') }}
    union all
    select to_account_key, from_account_key
    from {{ ref('int__combined__user_account_links') }}
),

labels_0 as (
    select user_account_key as account_key, user_account_key as label from accounts
),
{#- Each pass reads the previous labels once (CTEs may be inlined: no doubling per pass). #}
{%- for i in range(1, passes + 1) %}

reached_{{ i }} as (
    select
        neighbourhoods.account_key,
        max(case when neighbourhoods.linked_key = neighbourhoods.account_key then labels.label end)
            as label,
        min(labels.label) as reached_label
    from neighbourhoods
    inner join labels_{{ i - 1 }} as labels on neighbourhoods.linked_key = labels.account_key
    group by neighbourhoods.account_key
),

labels_{{ i }} as (
    select account_key, min(reached_label) over (partition by label) as label
    from reached_{{ i }}
){{ "," if not loop.last }}
{%- endfor %}

select
    {{ generate_surrogate_key(['accounts.platform_readable_id', 'accounts.user_account_source', 'accounts.user_id']) }}
        as user_account_pk,
    -- The person is named after its smallest account key: stable while that account is theirs.
    {{ generate_surrogate_key(['labels.label']) }} as user_fk,
    accounts.platform,
    accounts.platform_readable_id,
    accounts.user_account_source,
    accounts.user_id,
    accounts.user_username,
    accounts.user_email,
    accounts.user_full_name,
    accounts.user_joined_on,
    accounts.user_is_active,
    accounts.user_country,
    {%- for column, type in user_profile_columns() %}
    accounts.{{ column }},
    {%- endfor %}
    labels.label as user_person_key
from accounts
inner join labels_{{ passes }} as labels on accounts.user_account_key = labels.account_key
