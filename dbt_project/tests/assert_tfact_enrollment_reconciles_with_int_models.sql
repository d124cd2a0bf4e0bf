-- Every platform's course enrollments in tfact_enrollment are exactly the distinct
-- enrollments of that platform's intermediate model: none dropped by a join, none doubled.
with expected as (
    {%- for platform_readable_id, model in [
        ('mitxonline', 'int__mitxonline__enrollments'),
        ('xpro', 'int__xpro__enrollments'),
        ('bootcamps', 'int__bootcamps__enrollments'),
        ('edxorg', 'int__edxorg__mitx_courserun_enrollments'),
        ('residential', 'int__mitxresidential__courserun_enrollments'),
        ('emeritus', 'int__emeritus__enrollments'),
        ('global_alumni', 'int__global_alumni__enrollments'),
    ] %}
    select
        '{{ platform_readable_id }}' as platform_readable_id,
        count(distinct {{ generate_surrogate_key([
            'courserunenrollment_id', 'user_id', 'courserun_readable_id'
        ]) }}) as n
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

actual as (
    select platform_readable_id, count(*) as n
    from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
    group by platform_readable_id
)

select
    coalesce(expected.platform_readable_id, actual.platform_readable_id) as platform_readable_id,
    expected.n as expected_enrollments,
    actual.n as fact_enrollments
from expected
full outer join actual on expected.platform_readable_id = actual.platform_readable_id
where coalesce(expected.n, 0) <> coalesce(actual.n, 0)
