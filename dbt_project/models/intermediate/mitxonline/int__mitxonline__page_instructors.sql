-- The instructors each MITx Online course or program CMS page lists, one row per page: their
-- names in the page's order, in one text.
with links as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_instructorpagelink') }}
),

instructors as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_instructorpage') }}
)

select
    links.wagtail_page_id,
    count(*) as page_instructor_count,
    {{ dbt.listagg(
        'instructors.instructor_name', "', '",
        'order by links.instructorpagelink_sort_order, instructors.instructor_name'
    ) }} as page_instructors
from links
inner join instructors on links.instructor_wagtail_page_id = instructors.wagtail_page_id
group by links.wagtail_page_id
