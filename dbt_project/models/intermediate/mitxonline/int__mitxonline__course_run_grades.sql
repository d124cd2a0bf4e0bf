-- MITx Online course grades from Open edX; user_id is the Open edX account id.
select
    {{ platform_name('mitxonline') }} as platform,
    coursegrade_id,
    'openedx' as user_account_source,
    user_id,
    courserun_readable_id,
    coursegrade_grade,
    coursegrade_letter_grade,
    coursegrade_is_passing,
    coursegrade_passed_on,
    coursegrade_created_on,
    coursegrade_modified_on
from {{ ref('stg__mitxonline__openedx__mysql__grades_persistentcoursegrade') }}
