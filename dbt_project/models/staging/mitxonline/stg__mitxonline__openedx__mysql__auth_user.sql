{{ stg_openedx_auth_user('raw__mitxonline__openedx__mysql__auth_user') }}
