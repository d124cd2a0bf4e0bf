-- Discounts and coupons of every platform that has them, one row per (platform, discount):
-- MITx Online discounts, xPRO coupons (their current payment version's terms) and
-- MicroMasters coupons. discount_type_code says how it reduces a price (dim_discount_type).
with mitxonline as (
    select
        'mitxonline' as platform_readable_id,
        discount_id as source_discount_id,
        discount_code,
        discount_type,
        case discount_type
            when 'percent-off' then 'percentage'
            when 'dollars-off' then 'fixed_amount'
            when 'fixed-price' then 'fixed_price'
        end as discount_type_code,
        discount_amount,
        discount_amount_text,
        discount_source,
        discount_max_redemptions as max_redemptions,
        discount_redemption_type as redemption_type,
        discount_activated_on as activated_on,
        discount_expires_on as expires_on,
        discount_created_on as created_on,
        discount_updated_on as updated_on
    from {{ ref('stg__mitxonline__app__postgres__ecommerce_discount') }}
),

xpro_current_versions as (
    select * from (
        select
            versions.coupon_id,
            payment_versions.*,
            row_number() over (
                partition by versions.coupon_id
                order by versions.couponversion_created_on desc, versions.couponversion_id desc
            ) as recency
        from {{ ref('stg__xpro__app__postgres__ecommerce_couponversion') }} as versions
        inner join {{ ref('stg__xpro__app__postgres__ecommerce_couponpaymentversion') }}
            as payment_versions
            on versions.couponpaymentversion_id = payment_versions.couponpaymentversion_id
    ) as ranked
    where recency = 1
),

xpro as (
    select
        'xpro' as platform_readable_id,
        coupons.coupon_id as source_discount_id,
        coupons.coupon_code as discount_code,
        terms.couponpaymentversion_discount_type as discount_type,
        case terms.couponpaymentversion_discount_type
            when 'percent-off' then 'percentage'
            when 'dollars-off' then 'fixed_amount'
        end as discount_type_code,
        terms.couponpaymentversion_discount_amount as discount_amount,
        terms.couponpaymentversion_discount_amount_text as discount_amount_text,
        terms.couponpaymentversion_discount_source as discount_source,
        terms.couponpaymentversion_max_redemptions as max_redemptions,
        terms.couponpaymentversion_coupon_type as redemption_type,
        terms.couponpaymentversion_activated_on as activated_on,
        terms.couponpaymentversion_expires_on as expires_on,
        coupons.coupon_created_on as created_on,
        coupons.coupon_updated_on as updated_on
    from {{ ref('stg__xpro__app__postgres__ecommerce_coupon') }} as coupons
    left join xpro_current_versions as terms on coupons.coupon_id = terms.coupon_id
),

micromasters as (
    select
        'micromasters' as platform_readable_id,
        coupon_id as source_discount_id,
        coupon_code as discount_code,
        coupon_amount_type as discount_type,
        case coupon_amount_type
            when 'percent-discount' then 'percentage'
            when 'fixed-discount' then 'fixed_amount'
            when 'fixed-price' then 'fixed_price'
        end as discount_type_code,
        coupon_amount as discount_amount,
        coupon_discount_amount_text as discount_amount_text,
        coupon_type as discount_source,
        cast(null as integer) as max_redemptions,
        coupon_type as redemption_type,
        coupon_activated_on as activated_on,
        coupon_expires_on as expires_on,
        coupon_created_on as created_on,
        coupon_updated_on as updated_on
    from {{ ref('stg__micromasters__app__postgres__ecommerce_coupon') }}
),

discounts as (
    select * from mitxonline
    union all
    select * from xpro
    union all
    select * from micromasters
)

select
    {{ generate_surrogate_key(['platform_readable_id', 'source_discount_id']) }} as discount_pk,
    platform_readable_id as platform_code,
    source_discount_id,
    discount_code,
    discount_type,
    case when discount_type_code is not null then
        {{ generate_surrogate_key(['discount_type_code']) }}
    end as discount_type_fk,
    discount_type_code,
    cast(discount_amount as decimal(38, 5)) as discount_amount,
    discount_amount_text,
    discount_source,
    max_redemptions,
    redemption_type,
    activated_on,
    expires_on,
    created_on,
    updated_on
from discounts
