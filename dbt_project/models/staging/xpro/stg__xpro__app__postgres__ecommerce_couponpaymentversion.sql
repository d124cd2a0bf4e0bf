with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__ecommerce_couponpaymentversion') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as couponpaymentversion_id,
    payment_id as couponpayment_id,
    company_id,
    tag as couponpaymentversion_tag,
    automatic as couponpaymentversion_is_automatic,
    coupon_type as couponpaymentversion_coupon_type,
    num_coupon_codes as couponpaymentversion_num_coupon_codes,
    max_redemptions as couponpaymentversion_max_redemptions,
    max_redemptions_per_user as couponpaymentversion_max_redemptions_per_user,
    cast(amount as decimal(38, 5)) as couponpaymentversion_discount_amount,
    discount_type as couponpaymentversion_discount_type,
    payment_type as couponpaymentversion_discount_source,
    payment_transaction as couponpaymentversion_payment_transaction,
    case discount_type
        when 'percent-off' then concat(cast(cast(amount * 100 as decimal(38, 2)) as varchar), '%')
        when 'dollars-off' then concat('$', cast(cast(amount as decimal(38, 2)) as varchar))
    end as couponpaymentversion_discount_amount_text,
    activation_date as couponpaymentversion_activated_on,
    expiration_date as couponpaymentversion_expires_on,
    created_on as couponpaymentversion_created_on,
    updated_on as couponpaymentversion_updated_on
from deduplicated
