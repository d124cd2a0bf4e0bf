-- Learners, one row per person (user_pk), whatever platforms and accounts they have. Which
-- accounts are one person is decided in int__combined__user_accounts (its header and yml give
-- the rules); this model folds a person's accounts into one row: a column per account system
-- for ids, usernames, join dates and active flags, and for each profile field the value of the
-- most recently joined account that has one. A person holding two accounts of one system
-- (possible only through identifier links) shows the most recently joined one; facts resolve
-- every account through the account model.
with accounts as (
    select
        accounts.*,
        -- Higher is more recent: the account whose values win for the person.
        row_number() over (
            partition by user_fk
            order by user_joined_on nulls first, user_account_pk
        ) as account_recency
    from {{ ref('int__combined__user_accounts') }} as accounts
),

mitlearn_profiles as (
    select * from {{ ref('int__mitlearn__users') }}
),

latest_income as (
    select * from (
        select
            user_id,
            flexiblepriceapplication_income_usd,
            flexiblepriceapplication_original_income,
            flexiblepriceapplication_original_currency,
            row_number() over (
                partition by user_id
                order by flexiblepriceapplication_updated_on desc, flexiblepriceapplication_id desc
            ) as application_rank
        from {{ ref('stg__mitxonline__app__postgres__flexiblepricing_flexibleprice') }}
    ) as ranked
    where application_rank = 1
)

{#- (condition on the account, column): one account system per id and username column. -#}
{%- set mitxonline_app = "platform_readable_id = 'mitxonline' and user_account_source = 'app'" %}
{%- set mitxonline_openedx = "platform_readable_id = 'mitxonline' and user_account_source = 'openedx'" %}
{%- set xpro_app = "platform_readable_id = 'xpro' and user_account_source = 'app'" %}
{%- set xpro_openedx = "platform_readable_id = 'xpro' and user_account_source = 'openedx'" %}
{%- set edxorg = "platform_readable_id = 'edxorg'" %}
{%- set residential = "platform_readable_id = 'residential'" %}
{%- set ids = [
    ("platform_readable_id = 'mitlearn'", 'mitlearn_user_id'),
    (mitxonline_openedx, 'mitxonline_openedx_user_id'),
    (mitxonline_app, 'mitxonline_application_user_id'),
    (xpro_openedx, 'mitxpro_openedx_user_id'),
    (xpro_app, 'mitxpro_application_user_id'),
    ("platform_readable_id = 'bootcamps'", 'bootcamps_application_user_id'),
    (residential, 'residential_openedx_user_id'),
    (edxorg, 'edxorg_openedx_user_id'),
    ("platform_readable_id = 'emeritus'", 'emeritus_user_id'),
    ("platform_readable_id = 'global_alumni'", 'global_alumni_user_id'),
    ("platform_readable_id = 'micromasters'", 'micromasters_user_id'),
] %}
{%- set usernames = [
    (mitxonline_openedx, 'mitxonline_openedx_username'),
    (mitxonline_app, 'mitxonline_app_username'),
    (xpro_app, 'user_mitxpro_username'),
    (residential, 'user_residential_username'),
    (edxorg, 'user_edxorg_username'),
] %}
{#- (condition, platform label of the column names) -#}
{%- set platforms = [
    ("platform_readable_id = 'bootcamps'", 'bootcamps'),
    ("platform_readable_id = 'mitlearn'", 'mitlearn'),
    ("platform_readable_id = 'mitxonline'", 'mitxonline'),
    (edxorg, 'edxorg'),
    ("platform_readable_id = 'xpro'", 'mitxpro'),
    (residential, 'residential'),
] %}
{%- set profile_fields = [
    ('user_email', 'email'),
    ('user_full_name', 'full_name'),
    ('user_country', 'address_country'),
    ('user_address_state', 'address_state'),
    ('user_highest_education', 'highest_education'),
    ('user_gender', 'gender'),
    ('user_birth_year', 'birth_year'),
    ('user_company', 'company'),
    ('user_job_title', 'job_title'),
    ('user_industry', 'industry'),
] %}

, people as (
    select
        user_fk as user_pk,
        -- The platform of the account the person is named after (int__combined__user_accounts).
        max({{ dbt.split_part('user_person_key', "':'", 1) }}) as user_pk_source,
        {%- for condition, column in ids %}
        max_by(user_id, case when {{ condition }} then account_recency end)
            as {{ column }},
        {%- endfor %}
        {%- for condition, column in usernames %}
        max_by(
            user_username,
            case when {{ condition }} and user_username is not null
                then account_recency end
        ) as {{ column }},
        {%- endfor %}
        {%- for field, column in profile_fields %}
        max_by({{ field }}, case when {{ field }} is not null then account_recency end)
            as {{ column }},
        {%- endfor %}
        {%- for condition, label in platforms %}
        bool_or({{ condition }} and coalesce(user_is_active, false))
            as user_is_active_on_{{ label }},
        min(case when {{ condition }} then user_joined_on end)
            as user_joined_on_{{ label }},
        {%- endfor %}
        count(*) as user_account_count
    from accounts
    group by user_fk
)

select
    people.user_pk,
    people.user_pk_source,
    -- The single-sign-on id MIT Learn and MITx Online share.
    coalesce(learn_users.user_global_id, mitxonline_users.user_global_id) as user_global_id,
    -- MIT Learn's Open edX is MITx Online's: a Learn learner's Open edX account is that one.
    case when people.mitlearn_user_id is not null then people.mitxonline_openedx_user_id end
        as mitlearn_openedx_user_id,
    people.mitlearn_user_id,
    people.mitxonline_openedx_user_id,
    people.mitxonline_application_user_id,
    -- The Open edX username MITx Online gave the learner, else their app username.
    coalesce(people.mitxonline_openedx_username, people.mitxonline_app_username)
        as user_mitxonline_username,
    people.mitxpro_openedx_user_id,
    people.mitxpro_application_user_id,
    people.user_mitxpro_username,
    people.bootcamps_application_user_id,
    people.residential_openedx_user_id,
    people.user_residential_username,
    people.edxorg_openedx_user_id,
    people.user_edxorg_username,
    people.emeritus_user_id,
    people.global_alumni_user_id,
    people.micromasters_user_id,
    people.email,
    people.full_name,
    people.address_country,
    people.address_state,
    people.highest_education,
    people.gender,
    people.birth_year,
    people.company,
    people.job_title,
    people.industry,
    mitlearn_profiles.user_topic_interests as topic_interests,
    mitlearn_profiles.user_goals as goals,
    mitlearn_profiles.user_delivery_preference as delivery_preference,
    mitlearn_profiles.user_certificate_desired as certificate_desired,
    mitlearn_profiles.user_completed_onboarding as completed_onboarding,
    latest_income.flexiblepriceapplication_income_usd as latest_income_usd,
    latest_income.flexiblepriceapplication_original_income as latest_original_income,
    latest_income.flexiblepriceapplication_original_currency as latest_original_currency,
    {%- for condition, label in platforms %}
    people.user_is_active_on_{{ label }},
    people.user_joined_on_{{ label }},
    {%- endfor %}
    people.user_account_count
from people
left join mitlearn_profiles on people.mitlearn_user_id = mitlearn_profiles.user_id
left join {{ ref('stg__mitlearn__app__postgres__users_user') }} as learn_users
    on people.mitlearn_user_id = learn_users.user_id
left join {{ ref('stg__mitxonline__app__postgres__users_user') }} as mitxonline_users
    on people.mitxonline_application_user_id = mitxonline_users.user_id
left join latest_income on people.mitxonline_application_user_id = latest_income.user_id
