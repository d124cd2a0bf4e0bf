-- Global Alumni's export of the xPRO courses it delivers: one row per learner and batch (a
-- course run), with the learner's profile. Like Emeritus's, less the enrollment's dates, type
-- and the learner's nationality, which Global Alumni does not export.
{{ partner_enrollment_staging('raw__global_alumni__bigquery__api_enrollments', with_opportunity=false) }}
