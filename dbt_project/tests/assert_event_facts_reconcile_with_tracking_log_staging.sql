-- Every video or problem event of the tracking-log staging with a learner and a course run is
-- one row of its fact, and no fact row is anything else: per platform and event type, the
-- counts agree. Rows returned are the disagreements.
{%- set video_types = ['load_video', 'play_video', 'pause_video', 'seek_video', 'stop_video',
    'complete_video', 'speed_change_video', 'show_transcript', 'hide_transcript',
    'edx.video.closed_captions.shown', 'edx.video.closed_captions.hidden'] %}
with staged as (
    {%- for deployment in tracking_log_deployments() %}
    select
        '{{ deployment.platform }}' as platform,
        useractivity_event_type as event_type,
        count(*) as n
    from {{ ref(deployment.staging) }}
    where openedx_user_id is not null
        and courserun_readable_id is not null
        and (
            useractivity_event_type in ('{{ video_types | join("', '") }}')
            or (useractivity_event_type in ('problem_check', 'showanswer')
                and useractivity_event_source = 'server')
        )
    group by useractivity_event_type
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

facts as (
    select platform, event_type, count(*) as n from {{ ref('tfact_video_events') }}
    group by platform, event_type
    union all
    select platform, event_type, count(*) as n from {{ ref('tfact_problem_events') }}
    group by platform, event_type
)

select
    coalesce(staged.platform, facts.platform) as platform,
    coalesce(staged.event_type, facts.event_type) as event_type,
    staged.n as staged_events,
    facts.n as fact_rows
from staged
full outer join facts
    on staged.platform = facts.platform
    and staged.event_type = facts.event_type
where staged.n is null or facts.n is null or staged.n <> facts.n
