-- The course runs xPRO's partners deliver that xPRO does not list as its own runs, one row per
-- (partner, run code): a run is the batches sharing the run code (wrike run code). Title of
-- its latest batch, the batches' first start and last end; first seen when its first
-- enrollment was created (Global Alumni exports no enrollment dates: then when it starts).
{%- set partners = [
    ('emeritus', 'int__emeritus__enrollments'),
    ('global_alumni', 'int__global_alumni__enrollments'),
] %}
{%- for platform_readable_id, model in partners %}
select
    {{ platform_name(platform_readable_id) }} as platform,
    '{{ platform_readable_id }}' as platform_readable_id,
    '{{ platform_readable_id }}_bigquery' as courserun_source,
    courserun_readable_id,
    max_by(courserun_title, courserun_start_on) as courserun_title,
    min(courserun_start_on) as courserun_start_on,
    max(courserun_end_on) as courserun_end_on,
    count(distinct partner_batch_id) as courserun_batch_count,
    coalesce(min(courserunenrollment_created_on), min(courserun_start_on))
        as courserun_first_seen_on
from {{ ref(model) }}
where courserun_platform_readable_id = '{{ platform_readable_id }}'
group by courserun_readable_id
{{ "union all" if not loop.last }}
{%- endfor %}
