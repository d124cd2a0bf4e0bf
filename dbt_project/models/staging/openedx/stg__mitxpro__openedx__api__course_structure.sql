-- xPRO course structure: one row per block of each landed course export.
{{ stg_openedx_course_structure('raw__xpro__openedx__api__course_blocks') }}
