{{ stg_openedx_auth_user('raw__xpro__openedx__mysql__auth_user') }}
