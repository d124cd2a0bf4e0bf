-- marts__ocw_courses has one row per OCW Studio site carrying course metadata, and each
-- course lists as many instructors as it has instructor items.
with sites as (
    select
        websites.website_short_id,
        count(case when contents.websitecontent_type = 'instructor' then 1 end) as instructors
    from {{ ref('stg__ocw__studio__postgres__websites_website') }} as websites
    inner join {{ ref('stg__ocw__studio__postgres__websites_websitecontent') }} as contents
        on websites.website_id = contents.website_id
    group by websites.website_short_id
    having count(case when contents.websitecontent_type = 'sitemetadata' then 1 end) > 0
),

courses as (
    select
        course_short_id,
        case
            when course_instructors is null then 0
            else (length(course_instructors) - length(replace(course_instructors, ', ', ''))) / 2 + 1
        end as instructors
    from {{ ref('marts__ocw_courses') }}
)

select sites.website_short_id, courses.course_short_id, sites.instructors, courses.instructors
from sites
full outer join courses on sites.website_short_id = courses.course_short_id
where sites.website_short_id is null
    or courses.course_short_id is null
    or sites.instructors <> courses.instructors
