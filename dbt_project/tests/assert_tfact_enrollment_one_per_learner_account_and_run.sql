-- A learner account is enrolled in a course run at most once where the source enforces it
-- (Open edX's student_courseenrollment and the MITx Online app are unique on learner and
-- run): the same enrollment read twice, from two extractions or two exports, would show here.
-- Bootcamps' application has no such constraint.
select platform_readable_id, user_account_source, user_id, courserun_readable_id, count(*) as n
from {{ ref('tfact_enrollment') }}
where enrollment_type = 'course' and platform_readable_id <> 'bootcamps'
group by platform_readable_id, user_account_source, user_id, courserun_readable_id
having count(*) > 1
