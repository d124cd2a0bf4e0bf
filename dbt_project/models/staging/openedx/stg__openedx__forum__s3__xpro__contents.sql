-- Forum posts (threads and their comments) of the xpro Open edX instance, one row per post.
{{ stg_openedx_forum_contents('raw__openedx__forum__s3__xpro__contents') }}
