{{ stg_openedx_student_courseenrollment('raw__xpro__openedx__mysql__student_courseenrollment') }}
