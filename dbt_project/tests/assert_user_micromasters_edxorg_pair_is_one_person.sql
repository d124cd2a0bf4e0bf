-- A MicroMasters account and the edX.org account it signs in with (social-auth uid = edX.org
-- username) are one person, even when their emails differ. Fails too if the data holds no
-- such pair.
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

pairs as (
    select
        micromasters.user_id as micromasters_user_id,
        edxorg.user_id as edxorg_user_id,
        micromasters.user_fk as micromasters_person,
        edxorg.user_fk as edxorg_person
    from {{ ref('stg__micromasters__app__postgres__social_auth_usersocialauth') }} as social
    inner join accounts as micromasters
        on micromasters.platform_readable_id = 'micromasters'
        and micromasters.user_id = social.user_id
    inner join accounts as edxorg
        on edxorg.platform_readable_id = 'edxorg'
        and edxorg.user_username = social.user_username
    where social.user_auth_provider = 'edxorg'
        and lower(micromasters.user_email) <> lower(edxorg.user_email)
)

select micromasters_user_id, edxorg_user_id from pairs
where micromasters_person <> edxorg_person

union all

select null, null where not exists (select 1 from pairs)
