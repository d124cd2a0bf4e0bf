-- xPRO's course and program CMS pages (external ones too: page_model), one row per page, with
-- what their child pages say: the faculty page's members (names in the page's order) and the
-- certificate page's continuing education units. A child page sits one level under its parent in the Wagtail tree: its path
-- is the parent's path and one more step. Course pages also carry their topics (by name).
with wagtail_pages as (
    select * from {{ ref('stg__xpro__app__postgres__cms_wagtail_page') }}
),

pages as (
    select
        'course' as page_kind,
        wagtail_page_id,
        course_id,
        cast(null as integer) as program_id,
        cms_coursepage_description as page_description,
        cms_coursepage_subhead as page_subhead,
        cms_coursepage_duration as page_duration,
        cms_coursepage_format as page_format,
        cms_coursepage_time_commitment as page_time_commitment,
        cms_coursepage_catalog_details as page_catalog_details,
        cms_coursepage_external_marketing_url as page_external_marketing_url,
        cms_coursepage_model as page_model
    from {{ ref('stg__xpro__app__postgres__cms_coursepage') }}

    union all

    select
        'program' as page_kind,
        wagtail_page_id,
        cast(null as integer) as course_id,
        program_id,
        cms_programpage_description as page_description,
        cms_programpage_subhead as page_subhead,
        cms_programpage_duration as page_duration,
        cms_programpage_format as page_format,
        cms_programpage_time_commitment as page_time_commitment,
        cms_programpage_catalog_details as page_catalog_details,
        cms_programpage_external_marketing_url as page_external_marketing_url,
        cms_programpage_model as page_model
    from {{ ref('stg__xpro__app__postgres__cms_programpage') }}
),

-- Each page's children: a child's path is its parent's and one more 4-character step.
children as (
    select
        parents.wagtail_page_id as parent_wagtail_page_id,
        child.wagtail_page_id
    from wagtail_pages as child
    inner join wagtail_pages as parents
        on substr(child.wagtail_page_path, 1, length(child.wagtail_page_path) - 4)
        = parents.wagtail_page_path
),

faculty as (
    select
        children.parent_wagtail_page_id,
        faculty.cms_facultymemberspage_faculty_names,
        faculty.cms_facultymemberspage_faculty_count
    from children
    inner join {{ ref('stg__xpro__app__postgres__cms_facultymemberspage') }} as faculty
        on children.wagtail_page_id = faculty.wagtail_page_id
),

certificates as (
    select
        children.parent_wagtail_page_id,
        certificates.wagtail_page_id as certificate_wagtail_page_id,
        certificates.cms_certificate_ceus
    from children
    inner join {{ ref('stg__xpro__app__postgres__cms_certificatepage') }} as certificates
        on children.wagtail_page_id = certificates.wagtail_page_id
),

topics as (
    select
        page_topics.wagtail_page_id,
        {{ dbt.listagg('topics.coursetopic_name', "', '", 'order by topics.coursetopic_name') }}
            as page_topics
    from {{ ref('stg__xpro__app__postgres__cms_coursepage_topics') }} as page_topics
    inner join {{ ref('stg__xpro__app__postgres__courses_coursetopic') }} as topics
        on page_topics.coursetopic_id = topics.coursetopic_id
    group by page_topics.wagtail_page_id
)

select
    pages.page_kind,
    pages.page_model,
    pages.wagtail_page_id,
    pages.course_id,
    pages.program_id,
    pages.page_description,
    pages.page_subhead,
    pages.page_duration,
    pages.page_format,
    pages.page_time_commitment,
    pages.page_catalog_details,
    pages.page_external_marketing_url,
    topics.page_topics,
    faculty.cms_facultymemberspage_faculty_names as page_faculty_names,
    faculty.cms_facultymemberspage_faculty_count as page_faculty_count,
    certificates.certificate_wagtail_page_id,
    certificates.cms_certificate_ceus as page_ceus,
    wagtail_pages.wagtail_page_slug as page_slug,
    wagtail_pages.wagtail_page_url_path as page_url_path,
    wagtail_pages.wagtail_page_is_live as page_is_live,
    wagtail_pages.wagtail_page_first_published_on as page_first_published_on,
    wagtail_pages.wagtail_page_last_published_on as page_last_published_on
from pages
left join wagtail_pages on pages.wagtail_page_id = wagtail_pages.wagtail_page_id
left join faculty on pages.wagtail_page_id = faculty.parent_wagtail_page_id
left join certificates on pages.wagtail_page_id = certificates.parent_wagtail_page_id
left join topics on pages.wagtail_page_id = topics.wagtail_page_id
