-- Problem submissions (problem_check, as the server logs them) and answers shown (showanswer)
-- of the tracking logs of every deployment, one row per event (event_id). Incremental as
-- tfact_video_events: the staging rows landed since its last run, merged on event_id.
{{ config(**event_fact_config()) }}

with events as (
    {%- for deployment in tracking_log_deployments() %}
    select
        '{{ deployment.platform }}' as platform,
        '{{ deployment.account_source }}' as user_account_source,
        useractivity_event_hash,
        openedx_user_id,
        user_username,
        courserun_readable_id,
        useractivity_event_type as event_type,
        useractivity_event_object as event_json,
        useractivity_context_object as context_json,
        useractivity_timestamp as event_timestamp,
        _airbyte_extracted_at
    from {{ new_rows(ref(deployment.staging), target_where="platform = '" ~ deployment.platform ~ "'") }} as staged
    where useractivity_event_type in ('problem_check', 'showanswer')
        and useractivity_event_source = 'server'
        and openedx_user_id is not null
        and courserun_readable_id is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

platforms as (
    select platform_pk, platform_readable_id from {{ ref('dim_platform') }}
),

accounts as (
    select platform_readable_id, user_account_source, user_id, user_fk
    from {{ ref('int__combined__user_accounts') }}
)

select
    {{ dbt.concat(["events.platform", "':'", "events.useractivity_event_hash"]) }} as event_id,
    platforms.platform_pk as platform_fk,
    accounts.user_fk,
    events.platform,
    events.openedx_user_id,
    events.user_username,
    events.courserun_readable_id,
    events.event_type,
    coalesce(
        {{ json_text_at('events.event_json', '$.problem_id') }},
        {{ json_text_at('events.context_json', '$.module.usage_key') }}
    ) as problem_block_fk,
    {{ json_text_at('events.context_json', '$.module.display_name') }} as problem_name,
    {{ dbt.safe_cast(json_text_at('events.event_json', '$.attempts'), 'integer') }} as attempt,
    {{ json_object_at('events.event_json', '$.answers') }} as answers,
    {{ json_text_at('events.event_json', '$.success') }} as success,
    {{ json_number_at('events.event_json', '$.grade') }} as grade,
    {{ json_number_at('events.event_json', '$.max_grade') }} as max_grade,
    {{ iso8601_text('events.event_timestamp') }} as event_timestamp_iso8601,
    events.event_timestamp,
    {{ time_key('events.event_timestamp') }} as time_fk,
    {{ date_key('events.event_timestamp') }} as date_fk,
    events.event_json,
    events._airbyte_extracted_at
from events
inner join platforms
    on events.platform = platforms.platform_readable_id
left join accounts
    on events.platform = accounts.platform_readable_id
    and events.user_account_source = accounts.user_account_source
    and events.openedx_user_id = accounts.user_id
