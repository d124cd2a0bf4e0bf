-- Open edX tracking log events of mitxonline: events that carry an event_type, one row per event_hash.
{{ stg_openedx_tracking_logs('raw__openedx__tracking__s3__mitxonline__tracking_logs') }}
