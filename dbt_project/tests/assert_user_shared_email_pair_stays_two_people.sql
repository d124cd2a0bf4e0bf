-- Two accounts of one account system that share an email are two people: the email is
-- ambiguous, so it links nothing (no email link uses it) and, unless an identifier rule joins
-- them, the two accounts keep different persons. Fails too if the data holds no such pair
-- (the rule would go untested).
with accounts as (
    select *, nullif(lower(trim(user_email)), '') as email_normalised
    from {{ ref('int__combined__user_accounts') }}
),

identifier_linked as (
    select from_account_key as account_key
    from {{ ref('int__combined__user_account_links') }}
    where link_rule <> 'email'
    union
    select to_account_key
    from {{ ref('int__combined__user_account_links') }}
    where link_rule <> 'email'
),

pairs as (
    select account_a.email_normalised, account_a.user_fk as first_person, account_b.user_fk as second_person,
        account_a.platform_readable_id || ':' || account_a.user_account_source || ':'
            || cast(account_a.user_id as {{ dbt.type_string() }}) as first_key,
        account_b.platform_readable_id || ':' || account_b.user_account_source || ':'
            || cast(account_b.user_id as {{ dbt.type_string() }}) as second_key
    from accounts as account_a
    inner join accounts as account_b
        on account_a.platform_readable_id = account_b.platform_readable_id
        and account_a.user_account_source = account_b.user_account_source
        and account_a.email_normalised = account_b.email_normalised
        and account_a.user_id < account_b.user_id
),

email_links_of_ambiguous_emails as (
    select pairs.email_normalised, 'an email link uses an ambiguous email' as problem
    from pairs
    inner join {{ ref('int__combined__user_account_links') }} as links
        on links.link_rule = 'email'
        and links.from_account_key in (pairs.first_key, pairs.second_key)
)

select email_normalised, 'two accounts of one system sharing an email became one person' as problem
from pairs
where first_person = second_person
    and first_key not in (select account_key from identifier_linked)
    and second_key not in (select account_key from identifier_linked)

union all

select * from email_links_of_ambiguous_emails

union all

select null, 'no two accounts of one system share an email: the rule is untested'
where not exists (select 1 from pairs)
