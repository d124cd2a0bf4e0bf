-- A MITx Online application account and the Open edX account the application records for it
-- (openedx_openedxuser) are one person, even when their emails differ (the learner changed it
-- in the app only) and their usernames differ. Fails too if the data holds no such pair.
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where platform_readable_id = 'mitxonline'
),

pairs as (
    select
        app.user_id as app_user_id,
        openedx.user_id as openedx_user_id,
        app.user_fk as app_person,
        openedx.user_fk as openedx_person
    from {{ ref('stg__mitxonline__app__postgres__openedx_openedxuser') }} as recorded
    inner join accounts as app
        on app.user_account_source = 'app' and app.user_id = recorded.user_id
    inner join accounts as openedx
        on openedx.user_account_source = 'openedx'
        and openedx.user_username = recorded.openedxuser_username
    where lower(app.user_email) <> lower(openedx.user_email)
        and app.user_username <> openedx.user_username
)

select app_user_id, openedx_user_id from pairs where app_person <> openedx_person

union all

select null, null where not exists (select 1 from pairs)
