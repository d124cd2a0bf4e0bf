-- Learners, one row per person (user_pk), whatever platforms and accounts they have. Which
-- accounts are one person is decided in int__combined__user_accounts (its header gives the
-- rules); this model folds a person's accounts into one row with a column per account system,
-- as the reference warehouse names them. A person holding two accounts of one system (an
-- ambiguous case the rules allow only through the application/Open edX username link) shows
-- the most recently joined one; facts resolve every account through the account model.
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

ranked as (
    select
        accounts.*,
        row_number() over (
            partition by user_fk order by user_joined_on desc nulls last, user_account_pk
        ) as recency
    from accounts
)

{%- set systems = [
    ('mitxonline', 'app', 'mitxonline_application_user_id', 'mitxonline'),
    ('mitxonline', 'openedx', 'mitxonline_openedx_user_id', none),
    ('xpro', 'app', 'mitxpro_application_user_id', 'mitxpro'),
    ('xpro', 'openedx', 'mitxpro_openedx_user_id', none),
    ('residential', 'openedx', 'residential_openedx_user_id', none),
] %}

select
    user_fk as user_pk,
    {%- for platform, source, id_column, username_prefix in systems %}
    max(case when platform_readable_id = '{{ platform }}' and user_account_source = '{{ source }}'
        then user_id end) as {{ id_column }},
    {%- endfor %}
    max(case when platform_readable_id = 'mitxonline' then user_username end)
        as user_mitxonline_username,
    max(case when platform_readable_id = 'xpro' then user_username end) as user_mitxpro_username,
    max(case when platform_readable_id = 'residential' then user_username end)
        as user_residential_username,
    max(case when platform_readable_id = 'edxorg' then user_username end)
        as user_edxorg_username,
    max(case when recency = 1 then user_email end) as email,
    max(case when recency = 1 then user_full_name end) as full_name,
    max(case when platform_readable_id = 'edxorg' then user_id end)
        as edxorg_openedx_user_id,
    max(user_country) as address_country,
    {%- for platform, label in [
        ('mitxonline', 'mitxonline'), ('xpro', 'mitxpro'), ('residential', 'residential'),
    ] %}
    max(case when platform_readable_id = '{{ platform }}' then user_joined_on end)
        as user_joined_on_{{ label }},
    bool_or(platform_readable_id = '{{ platform }}' and coalesce(user_is_active, false))
        as user_is_active_on_{{ label }},
    {%- endfor %}
    max(case when platform_readable_id = 'edxorg' then user_joined_on end)
        as user_joined_on_edxorg,
    bool_or(platform_readable_id = 'edxorg' and coalesce(user_is_active, false))
        as user_is_active_on_edxorg,
    count(*) as user_account_count
from ranked
group by user_fk
