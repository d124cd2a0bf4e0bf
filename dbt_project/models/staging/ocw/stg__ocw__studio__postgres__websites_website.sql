with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__ocw__studio__postgres__websites_website') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as website_id,
    name as website_name,
    title as website_title,
    short_id as website_short_id,
    url_path as website_url_path,
    publish_date as website_published_on,
    first_published_to_production as website_first_published_on,
    live_publish_status as website_publish_status,
    unpublish_status as website_unpublish_status,
    -- Published to production and not taken down since.
    publish_date is not null and unpublish_status is null as website_is_live,
    publish_date is not null and coalesce(unpublish_status = 'succeeded', false)
        as website_is_unpublished,
    publish_date is null as website_has_never_published,
    created_on as website_created_on,
    updated_on as website_updated_on
from deduplicated
