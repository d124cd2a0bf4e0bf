-- OCW course sites: the websites that carry course metadata (a sitemetadata item), one row
-- per site, with the metadata's fields and the site's publishing state on production.
with websites as (
    select * from {{ ref('stg__ocw__studio__postgres__websites_website') }}
),

contents as (
    select * from {{ ref('stg__ocw__studio__postgres__websites_websitecontent') }}
),

metadata as (
    select website_id, websitecontent_metadata as course_metadata
    from contents
    where websitecontent_type = 'sitemetadata'
),

-- A course's instructors are instructor items its metadata lists by text id.
instructors as (
    select
        metadata.website_id,
        {{ dbt.listagg('contents.websitecontent_title', "', '", 'order by contents.websitecontent_title') }}
            as course_instructors
    from metadata
    inner join contents
        on metadata.website_id = contents.website_id
        and contents.websitecontent_type = 'instructor'
        and strpos(
            {{ json_text_of('metadata.course_metadata', '$.instructors.content') }},
            {{ dbt.concat(["'\"'", 'contents.websitecontent_text_id', "'\"'"]) }}
        ) > 0
    group by metadata.website_id
)

select
    websites.website_id as course_id,
    websites.website_short_id as course_readable_id,
    websites.website_name as course_name,
    coalesce(
        nullif({{ json_text_at('metadata.course_metadata', '$.course_title') }}, ''),
        websites.website_title
    ) as course_title,
    nullif({{ json_text_at('metadata.course_metadata', '$.course_description') }}, '')
        as course_description,
    websites.website_url_path as course_url_path,
    case
        when websites.website_is_live
            then {{ dbt.concat(["'" ~ var('ocw_production_url', 'https://ocw.mit.edu/') ~ "'", 'websites.website_url_path']) }}
    end as course_live_url,
    websites.website_is_live as course_is_live,
    websites.website_is_unpublished as course_is_unpublished,
    websites.website_has_never_published as course_has_never_published,
    websites.website_first_published_on as course_first_published_on,
    websites.website_published_on as course_publish_date_updated_on,
    nullif({{ json_text_at('metadata.course_metadata', '$.term') }}, '') as course_term,
    {{ dbt.safe_cast(
        "nullif(" ~ json_text_at('metadata.course_metadata', '$.year') ~ ", '')", 'integer'
    ) }} as course_year,
    nullif({{ array_join_text(
        json_string_array(json_text_of('metadata.course_metadata', '$.level')), "', '"
    ) }}, '') as course_level,
    nullif({{ json_text_at('metadata.course_metadata', '$.primary_course_number') }}, '')
        as course_primary_course_number,
    nullif({{ json_text_at('metadata.course_metadata', '$.extra_course_numbers') }}, '')
        as course_extra_course_numbers,
    nullif({{ array_join_text(
        json_string_array(json_text_of('metadata.course_metadata', '$.department_numbers')),
        "', '"
    ) }}, '') as course_department_numbers,
    {{ json_text_of('metadata.course_metadata', '$.topics') }} as course_topics,
    instructors.course_instructors,
    nullif({{ array_join_text(
        json_string_array(json_text_of('metadata.course_metadata', '$.learning_resource_types')),
        "', '"
    ) }}, '') as course_learning_resource_types,
    websites.website_created_on as course_created_on,
    websites.website_updated_on as course_updated_on
from websites
inner join metadata on websites.website_id = metadata.website_id
left join instructors on websites.website_id = instructors.website_id
