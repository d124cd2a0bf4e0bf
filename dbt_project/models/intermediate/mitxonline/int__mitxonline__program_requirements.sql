-- The courses of each MITx Online program, from the requirement tree: a course node under an
-- 'all_of' operator is required, one under 'min_number_of' is an elective. course_order is
-- the course's position in the tree (its path sorts in the order the app shows it).
with requirements as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_programrequirement') }}
),

courses as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_course') }}
),

operators as (
    select * from requirements where programrequirement_node_type = 'operator'
),

course_nodes as (
    select * from requirements where programrequirement_node_type = 'course'
)

select
    course_nodes.program_id,
    course_nodes.course_id,
    courses.course_readable_id,
    operators.programrequirement_title as electiveset_title,
    operators.programrequirement_operator,
    operators.programrequirement_operator_value,
    operators.programrequirement_operator = 'all_of' as programrequirement_is_required,
    row_number() over (
        partition by course_nodes.program_id order by course_nodes.programrequirement_path
    ) as course_order_in_program
from course_nodes
inner join operators
    on course_nodes.program_id = operators.program_id
    and {{ dbt.position('operators.programrequirement_path', 'course_nodes.programrequirement_path') }} = 1
    and course_nodes.programrequirement_depth = operators.programrequirement_depth + 1
inner join courses on course_nodes.course_id = courses.course_id
