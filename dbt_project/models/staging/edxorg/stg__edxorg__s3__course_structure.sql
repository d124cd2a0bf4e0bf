-- edX.org course structure: one row per block of each course export edX.org delivered.
{{ stg_openedx_course_structure('raw__edxorg__s3__course_blocks') }}
