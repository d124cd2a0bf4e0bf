-- Global Alumni learners: one account per Global Alumni student id, with their newest profile;
-- joined when they first gave their GDPR consent (the export carries no enrollment dates).
{{ partner_user_accounts('global_alumni', 'stg__global_alumni__api__bigquery__user_enrollments', 'user_gdpr_consent_date') }}
