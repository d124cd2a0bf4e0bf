-- Forum posts (threads and their comments) of the mitxonline Open edX instance, one row per post.
{{ stg_openedx_forum_contents('raw__openedx__forum__s3__mitxonline__contents') }}
