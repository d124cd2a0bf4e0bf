-- MITx residential tracking log events that carry an event type, one row per event.
{{ config(**tracking_log_staging_config()) }}
{{ stg_openedx_tracking_logs('raw__mitx__openedx__tracking_logs') }}
