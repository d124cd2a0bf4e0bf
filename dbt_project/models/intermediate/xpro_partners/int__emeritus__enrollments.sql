-- Emeritus enrollments in the xPRO courses it delivers: one row per (student, batch).
{{ partner_enrollments('emeritus', 'stg__emeritus__api__bigquery__user_enrollments', with_dates=true) }}
