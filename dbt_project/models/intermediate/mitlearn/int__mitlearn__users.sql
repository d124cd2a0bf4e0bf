-- MIT Learn learners: the app accounts with their profile (the name they gave Learn, else
-- the account's first and last name; their education) and the topics they said interest them.
with profiles as (
    select * from {{ ref('stg__mitlearn__app__postgres__profiles_profile') }}
),

topic_interests as (
    select
        interests.profile_id,
        array_agg(topics.learningresourcetopic_name order by topics.learningresourcetopic_name)
            as user_topic_interests
    from {{ ref('stg__mitlearn__app__postgres__profiles_profile_topic_interests') }} as interests
    inner join {{ ref('stg__mitlearn__app__postgres__learning_resources_learningresourcetopic') }}
        as topics
        on interests.learningresourcetopic_id = topics.learningresourcetopic_id
    group by interests.profile_id
)

select
    {{ platform_name('mitlearn') }} as platform,
    'app' as user_account_source,
    users.user_id,
    cast(null as {{ dbt.type_string() }}) as user_username,
    users.user_email,
    coalesce(profiles.user_name, users.user_full_name) as user_full_name,
    users.user_joined_on,
    users.user_is_active,
    cast(null as {{ dbt.type_string() }}) as user_country,
    cast(null as {{ type_timestamptz() }}) as user_last_login,
    cast(null as {{ dbt.type_string() }}) as user_address_state,
    cast(null as {{ dbt.type_string() }}) as user_address_city,
    cast(null as {{ dbt.type_string() }}) as user_address_postal_code,
    cast(null as {{ dbt.type_string() }}) as user_street_address,
    profiles.user_current_education as user_highest_education,
    cast(null as {{ dbt.type_string() }}) as user_gender,
    cast(null as {{ dbt.type_int() }}) as user_birth_year,
    cast(null as {{ dbt.type_string() }}) as user_company,
    cast(null as {{ dbt.type_string() }}) as user_job_title,
    cast(null as {{ dbt.type_string() }}) as user_industry,
    profiles.profile_id as user_profile_id,
    topic_interests.user_topic_interests,
    profiles.user_goals,
    profiles.user_delivery_preference,
    profiles.user_certificate_desired,
    profiles.user_completed_onboarding
from {{ ref('stg__mitlearn__app__postgres__users_user') }} as users
left join profiles on users.user_id = profiles.user_id
left join topic_interests on profiles.profile_id = topic_interests.profile_id
