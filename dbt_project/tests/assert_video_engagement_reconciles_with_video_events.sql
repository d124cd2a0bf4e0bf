-- afact_video_engagement sums tfact_video_events: per platform, its plays and completions
-- add up to the play_video and complete_video events, and every learner-video pair with
-- events has its row. Rows returned are the disagreements.
with events as (
    select
        platform,
        sum(case when event_type = 'play_video' then 1 else 0 end) as plays,
        sum(case when event_type = 'complete_video' then 1 else 0 end) as completions,
        count(distinct {{ dbt.concat(["cast(openedx_user_id as " ~ dbt.type_string() ~ ")", "'|'",
            "courserun_readable_id", "'|'", "video_block_fk"]) }}) as pairs
    from {{ ref('tfact_video_events') }}
    group by platform
),

engagement as (
    select
        platform,
        sum(video_played_count) as plays,
        sum(video_completed_count) as completions,
        count(*) as pairs
    from {{ ref('afact_video_engagement') }}
    group by platform
)

select events.platform, events.plays, engagement.plays as engagement_plays
from events
left join engagement on events.platform = engagement.platform
where engagement.platform is null
    or events.plays <> engagement.plays
    or events.completions <> engagement.completions
    or events.pairs <> engagement.pairs
