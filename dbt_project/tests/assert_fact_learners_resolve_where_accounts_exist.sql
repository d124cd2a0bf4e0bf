-- A certificate or grade of a platform whose learner accounts are in
-- int__combined__user_accounts resolves its learner (user_fk). Platforms whose account
-- system is not in that model yet are left out, so this test widens as accounts are added.
with platforms_with_accounts as (
    select distinct platform_readable_id
    from {{ ref('int__combined__user_accounts') }}
    where user_account_source = 'app' or platform_readable_id = 'edxorg'
),

facts as (
    select 'tfact_certificate' as fact, platform_readable_id, user_fk
    from {{ ref('tfact_certificate') }}
    union all
    select 'tfact_grade', platform_readable_id, user_fk
    from {{ ref('tfact_grade') }}
)

select facts.fact, facts.platform_readable_id, count(*) as unresolved
from facts
inner join platforms_with_accounts
    on facts.platform_readable_id = platforms_with_accounts.platform_readable_id
where facts.user_fk is null
group by facts.fact, facts.platform_readable_id
