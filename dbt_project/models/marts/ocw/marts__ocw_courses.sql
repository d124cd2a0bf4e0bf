-- OCW courses managed in OCW Studio, one row per course site: identity, publishing state on
-- production, and the course metadata (term, level, numbers, topics, instructors).
select
    course_readable_id as course_short_id,
    course_name,
    course_title,
    course_live_url,
    course_is_live,
    course_is_unpublished,
    course_has_never_published,
    course_first_published_on,
    course_publish_date_updated_on,
    course_term,
    course_year,
    course_level,
    course_primary_course_number,
    course_extra_course_numbers,
    course_department_numbers,
    course_topics,
    course_instructors,
    course_learning_resource_types
from {{ ref('int__ocw__courses') }}
