with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__sloan_executive_education__api__courses') }}
)

select
    course_id as course_readable_id,
    title as course_title,
    description as course_description,
    url as course_url,
    format as course_delivery_format,
    location as course_location,
    {{ dbt.safe_cast('start_date', 'date') }} as course_start_on,
    {{ dbt.safe_cast('end_date', 'date') }} as course_end_on,
    duration_days as course_duration_days,
    fee as course_price,
    currency as course_currency,
    {{ json_string_array('topics') }} as course_topics,
    is_active as course_is_live,
    modified as course_updated_on
from source
