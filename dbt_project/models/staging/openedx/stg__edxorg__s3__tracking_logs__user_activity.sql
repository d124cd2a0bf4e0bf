-- edX.org tracking log events of MITx courses that carry an event type, one row per event.
{{ config(**tracking_log_staging_config()) }}
{{ stg_openedx_tracking_logs('raw__edxorg__s3__tracking_logs') }}
