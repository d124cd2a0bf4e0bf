-- Every xPRO course-run and program-run product in the products mart carries its course's or
-- program's CMS page, read here from staging: the page's duration, time commitment and format;
-- the continuing education units of the certificate page under it (null without one); every
-- topic tagged on a course page; and the members of the faculty page under it (as many, the
-- first listed first). A child page is one level deeper than its parent, under its path. A
-- row here is a product whose catalogue fields are not its page's.
with products as (
    select
        products.product_readable_id,
        products.duration,
        products.time_commitment,
        products.delivery,
        products.continuing_education_credits,
        products.topics,
        products.instructors,
        ecommerce.courserun_id,
        ecommerce.program_id
    from {{ ref('marts__combined__products') }} as products
    inner join {{ ref('int__mitxpro__ecommerce_product') }} as ecommerce
        on products.product_id = ecommerce.product_id
    where products.platform = {{ platform_name('xpro') }}
),

pages as (
    select
        wagtail_page_id, course_id, cast(null as integer) as program_id,
        cms_coursepage_duration as duration,
        cms_coursepage_time_commitment as time_commitment,
        cms_coursepage_format as format
    from {{ ref('stg__xpro__app__postgres__cms_coursepage') }}
    union all
    select
        wagtail_page_id, cast(null as integer) as course_id, program_id,
        cms_programpage_duration, cms_programpage_time_commitment, cms_programpage_format
    from {{ ref('stg__xpro__app__postgres__cms_programpage') }}
),

wagtail as (
    select * from {{ ref('stg__xpro__app__postgres__cms_wagtail_page') }}
),

-- (parent page, child page): one level deeper, under the parent's path.
children as (
    select parents.wagtail_page_id as parent_id, child.wagtail_page_id as child_id
    from wagtail as child
    inner join wagtail as parents
        on child.wagtail_page_depth = parents.wagtail_page_depth + 1
        and child.wagtail_page_path like parents.wagtail_page_path || '%'
),

faculty as (
    select
        children.parent_id,
        {{ json_text_at('faculty.cms_facultymemberspage_faculty', '$[0].value.name') }}
            as first_member,
        {{ json_array_size('faculty.cms_facultymemberspage_faculty') }} as listed
    from children
    inner join {{ ref('stg__xpro__app__postgres__cms_facultymemberspage') }} as faculty
        on children.child_id = faculty.wagtail_page_id
),

ceus as (
    select children.parent_id, certificates.cms_certificate_ceus
    from children
    inner join {{ ref('stg__xpro__app__postgres__cms_certificatepage') }} as certificates
        on children.child_id = certificates.wagtail_page_id
),

page_topics as (
    select page_topics.wagtail_page_id, topics.coursetopic_name
    from {{ ref('stg__xpro__app__postgres__cms_coursepage_topics') }} as page_topics
    inner join {{ ref('stg__xpro__app__postgres__courses_coursetopic') }} as topics
        on page_topics.coursetopic_id = topics.coursetopic_id
),

with_pages as (
    select products.*, pages.wagtail_page_id, pages.duration as page_duration,
        pages.time_commitment as page_time_commitment, pages.format as page_format,
        ceus.cms_certificate_ceus as page_ceus, faculty.first_member, faculty.listed
    from products
    left join {{ ref('stg__xpro__app__postgres__courses_courserun') }} as runs
        on products.courserun_id = runs.courserun_id
    left join pages
        on runs.course_id = pages.course_id or products.program_id = pages.program_id
    left join ceus on pages.wagtail_page_id = ceus.parent_id
    left join faculty on pages.wagtail_page_id = faculty.parent_id
)

select product_readable_id, 'duration, time commitment, format or CEUs' as problem
from with_pages
where duration is distinct from page_duration
    or time_commitment is distinct from page_time_commitment
    or delivery is distinct from coalesce(page_format, 'Online')
    or continuing_education_credits is distinct from page_ceus

union all

select with_pages.product_readable_id, 'topic ' || page_topics.coursetopic_name
from with_pages
inner join page_topics on with_pages.wagtail_page_id = page_topics.wagtail_page_id
where with_pages.topics is null or strpos(with_pages.topics, page_topics.coursetopic_name) = 0

union all

select product_readable_id, 'instructors'
from with_pages
where (first_member is null and instructors is not null)
    or (
        first_member is not null
        and (
            instructors is null
            or strpos(instructors, first_member) <> 1
            or length(instructors) - length(replace(instructors, ', ', '')) <> 2 * (listed - 1)
        )
    )
