-- xPRO tracking log events that carry an event type, one row per event.
{{ config(**tracking_log_staging_config()) }}
{{ stg_openedx_tracking_logs('raw__xpro__openedx__tracking_logs') }}
