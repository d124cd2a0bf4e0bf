-- Global Alumni enrollments in the xPRO courses it delivers: one row per (student, batch).
{{ partner_enrollments('global_alumni', 'stg__global_alumni__api__bigquery__user_enrollments', with_dates=false) }}
