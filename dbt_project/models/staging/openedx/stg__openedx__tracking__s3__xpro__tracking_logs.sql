-- Open edX tracking log events of xpro: events that carry an event_type, one row per event_hash.
{{ stg_openedx_tracking_logs('raw__openedx__tracking__s3__xpro__tracking_logs') }}
