-- Every MITx Online course run in the products mart carries its course's CMS page, read here
-- from staging: the page's length and effort as duration and time commitment, every topic
-- tagged on the page, and the instructors it lists (as many, the first listed first); a
-- course without a page, or a page without topics or instructors, gives nulls. A row here is
-- a run whose catalogue fields are not its course page's.
with runs as (
    select
        products.product_readable_id,
        products.duration,
        products.time_commitment,
        products.topics,
        products.instructors,
        runs.course_id
    from {{ ref('marts__combined__products') }} as products
    inner join {{ ref('stg__mitxonline__app__postgres__courses_courserun') }} as runs
        on products.product_readable_id = runs.courserun_readable_id
    where products.platform = {{ platform_name('mitxonline') }}
        and products.product_type = 'course run'
),

pages as (
    select * from {{ ref('stg__mitxonline__app__postgres__cms_coursepage') }}
),

page_topics as (
    select page_topics.wagtail_page_id, topics.coursetopic_name
    from {{ ref('stg__mitxonline__app__postgres__cms_coursepage_topics') }} as page_topics
    inner join {{ ref('stg__mitxonline__app__postgres__courses_coursetopic') }} as topics
        on page_topics.coursetopic_id = topics.coursetopic_id
),

page_instructors as (
    select
        links.wagtail_page_id,
        instructors.instructor_name,
        count(*) over (partition by links.wagtail_page_id) as listed,
        row_number() over (
            partition by links.wagtail_page_id order by links.instructorpagelink_sort_order
        ) as position
    from {{ ref('stg__mitxonline__app__postgres__cms_instructorpagelink') }} as links
    inner join {{ ref('stg__mitxonline__app__postgres__cms_instructorpage') }} as instructors
        on links.instructor_wagtail_page_id = instructors.wagtail_page_id
),

with_pages as (
    select runs.*, pages.wagtail_page_id, pages.coursepage_length, pages.coursepage_effort
    from runs
    left join pages on runs.course_id = pages.course_id
)

select product_readable_id, 'length or effort' as problem
from with_pages
where duration is distinct from coursepage_length
    or time_commitment is distinct from coursepage_effort

union all

select with_pages.product_readable_id, 'topic ' || page_topics.coursetopic_name
from with_pages
inner join page_topics on with_pages.wagtail_page_id = page_topics.wagtail_page_id
where with_pages.topics is null or strpos(with_pages.topics, page_topics.coursetopic_name) = 0

union all

select with_pages.product_readable_id, 'instructors'
from with_pages
left join page_instructors
    on with_pages.wagtail_page_id = page_instructors.wagtail_page_id
    and page_instructors.position = 1
where (page_instructors.wagtail_page_id is null and with_pages.instructors is not null)
    or (
        page_instructors.wagtail_page_id is not null
        and (
            with_pages.instructors is null
            or strpos(with_pages.instructors, page_instructors.instructor_name) <> 1
            or length(with_pages.instructors) - length(replace(with_pages.instructors, ', ', ''))
            <> 2 * (page_instructors.listed - 1)
        )
    )

union all

select with_pages.product_readable_id, 'topics without tagged topics'
from with_pages
where with_pages.topics is not null
    and not exists (
        select 1 from page_topics where page_topics.wagtail_page_id = with_pages.wagtail_page_id
    )
