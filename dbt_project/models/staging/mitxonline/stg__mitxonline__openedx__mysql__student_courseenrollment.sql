{{ stg_openedx_student_courseenrollment('raw__mitxonline__openedx__mysql__student_courseenrollment') }}
