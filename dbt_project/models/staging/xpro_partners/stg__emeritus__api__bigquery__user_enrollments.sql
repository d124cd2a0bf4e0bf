-- Emeritus's export of the xPRO courses it delivers: one row per learner and batch (a course
-- run), with the learner's profile as Emeritus collected it and the enrollment's dates and
-- type. A batch's wrike_run_code is the run's code in xPRO (its external course run id).
{{ partner_enrollment_staging('raw__emeritus__bigquery__api_enrollments', with_opportunity=true) }}
