-- Emeritus learners: one account per Emeritus student id, with their newest profile; joined
-- when their first enrollment (opportunity) was created.
{{ partner_user_accounts('emeritus', 'stg__emeritus__api__bigquery__user_enrollments', 'enrollment_created_on') }}
