with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitpe__api__courses') }}
)

select
    url as course_url,
    title as course_title,
    {{ json_string_array('topics') }} as course_topics,
    price as course_price,
    {{ dbt.safe_cast('start_date', 'date') }} as course_start_on,
    online as course_is_online
from source
