with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__oll__google_sheets__courses') }}
)

select
    readable_id as course_readable_id,
    oll_course as course_title,
    department as course_department,
    {{ dbt.safe_cast('"year"', 'integer') }} as course_year,
    lower(trim(published)) = 'yes' as course_is_published
from source
