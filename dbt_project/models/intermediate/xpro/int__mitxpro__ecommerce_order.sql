-- xPRO orders, one row per order: state, purchaser, amounts with tax, the coupon redeemed on
-- it (its payment version: discount, source, B2B company and transaction; the B2B order that
-- bought the coupon's seats) and the reference number of its accepted payment receipt.
with orders as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_order') }}
),

-- The application applies one coupon to an order; keep its first redemption.
redemptions as (
    select * from (
        select
            *,
            row_number() over (
                partition by order_id order by couponredemption_created_on, couponredemption_id
            ) as _redemption_rank
        from {{ ref('stg__xpro__app__postgres__ecommerce_couponredemption') }}
    ) as ranked
    where _redemption_rank = 1
),

coupon_versions as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_couponversion') }}
),

coupons as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_coupon') }}
),

payment_versions as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_couponpaymentversion') }}
),

payments as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_couponpayment') }}
),

companies as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_company') }}
),

-- A company's purchase of seats; its coupon payment version's coupons are the seats' codes.
b2b_orders as (
    select * from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2border') }}
),

accepted_receipts as (
    select order_id, max(receipt_reference_number) as receipt_reference_number
    from {{ ref('stg__xpro__app__postgres__ecommerce_receipt') }}
    where receipt_transaction_status = 'ACCEPT'
    group by order_id
)

select
    orders.order_id,
    orders.order_state,
    orders.order_purchaser_user_id,
    orders.order_total_price_paid,
    orders.order_tax_country_code,
    orders.order_tax_rate,
    orders.order_tax_rate_name,
    cast(round(orders.order_total_price_paid * coalesce(orders.order_tax_rate, 0), 2)
        as decimal(38, 2)) as order_tax_amount,
    cast(round(orders.order_total_price_paid * (1 + coalesce(orders.order_tax_rate, 0)), 2)
        as decimal(38, 2)) as order_total_price_paid_plus_tax,
    orders.order_created_on,
    orders.order_updated_on,
    accepted_receipts.receipt_reference_number,
    coupons.coupon_id,
    coupons.coupon_code,
    payments.couponpayment_name as coupon_name,
    redemptions.couponredemption_created_on as coupon_redeemed_on,
    payment_versions.couponpaymentversion_id,
    payment_versions.couponpaymentversion_coupon_type,
    payment_versions.couponpaymentversion_discount_type,
    payment_versions.couponpaymentversion_discount_amount,
    payment_versions.couponpaymentversion_discount_amount_text,
    payment_versions.couponpaymentversion_discount_source,
    payment_versions.couponpaymentversion_payment_transaction,
    payment_versions.company_id,
    companies.company_name,
    b2b_orders.b2border_id,
    b2b_orders.b2bcoupon_id,
    b2b_orders.b2border_contract_number
from orders
left join redemptions on orders.order_id = redemptions.order_id
left join coupon_versions on redemptions.couponversion_id = coupon_versions.couponversion_id
left join coupons on coupon_versions.coupon_id = coupons.coupon_id
left join payment_versions
    on coupon_versions.couponpaymentversion_id = payment_versions.couponpaymentversion_id
left join payments on payment_versions.couponpayment_id = payments.couponpayment_id
left join companies on payment_versions.company_id = companies.company_id
left join b2b_orders
    on payment_versions.couponpaymentversion_id = b2b_orders.couponpaymentversion_id
left join accepted_receipts on orders.order_id = accepted_receipts.order_id
