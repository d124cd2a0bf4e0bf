with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__ecommerce_coupon') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coupon_id,
    coupon_code,
    coupon_type,
    amount_type as coupon_amount_type,
    cast(amount as decimal(38, 5)) as coupon_amount,
    content_type_id as contenttype_id,
    object_id as coupon_object_id,
    enabled as coupon_is_active,
    invoice_id as couponinvoice_id,
    case amount_type
        when 'percent-discount' then concat(cast(cast(amount * 100 as decimal(38, 2)) as varchar), '%')
        when 'fixed-discount' then concat('$', cast(cast(amount as decimal(38, 2)) as varchar))
        when 'fixed-price' then concat('Fixed Price: ', cast(cast(amount as decimal(38, 2)) as varchar))
    end as coupon_discount_amount_text,
    activation_date as coupon_activated_on,
    expiration_date as coupon_expires_on,
    created_on as coupon_created_on,
    updated_on as coupon_updated_on
from deduplicated
