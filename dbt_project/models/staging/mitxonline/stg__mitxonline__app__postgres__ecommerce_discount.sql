with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__ecommerce_discount') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as discount_id,
    cast(amount as decimal(38, 2)) as discount_amount,
    discount_code,
    discount_type,
    max_redemptions as discount_max_redemptions,
    redemption_type as discount_redemption_type,
    payment_type as discount_source,
    case discount_type
        when 'percent-off' then concat(cast(cast(amount as decimal(38, 2)) as varchar), '%')
        when 'dollars-off' then concat('$', cast(cast(amount as decimal(38, 2)) as varchar))
        when 'fixed-price' then concat('Fixed Price: ', cast(cast(amount as decimal(38, 2)) as varchar))
    end as discount_amount_text,
    activation_date as discount_activated_on,
    expiration_date as discount_expires_on,
    created_on as discount_created_on,
    updated_on as discount_updated_on
from deduplicated
