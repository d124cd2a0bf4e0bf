{{ stg_openedx_student_courseenrollment('raw__mitx__openedx__mysql__student_courseenrollment') }}
