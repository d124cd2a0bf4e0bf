with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__flexiblepricing_flexibleprice') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as flexiblepriceapplication_id,
    user_id,
    status as flexiblepriceapplication_status,
    income_usd as flexiblepriceapplication_income_usd,
    original_income as flexiblepriceapplication_original_income,
    original_currency as flexiblepriceapplication_original_currency,
    country_of_income as flexiblepriceapplication_country_of_income,
    country_of_residence as flexiblepriceapplication_country_of_residence,
    created_on as flexiblepriceapplication_created_on,
    updated_on as flexiblepriceapplication_updated_on
from deduplicated
