-- xPRO B2B orders, one row per order: a company's purchase of seats (enrollment codes) in a
-- course run or program, with the product its product version sells, the coupon payment
-- version the purchase created (its coupons are the seats' codes; its company), the B2B coupon
-- redeemed on it, and its latest payment receipt that is not an error (orders paid by card;
-- contract purchases have none). b2border_is_redeemed_in_orders: some ordinary order redeemed
-- one of its codes, so the ordinary orders already carry the purchase.
with b2b_orders as (
    select * from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2border') }}
),

product_versions as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_productversion') }}
),

products as (
    select * from {{ ref('int__mitxpro__ecommerce_product') }}
),

payment_versions as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_couponpaymentversion') }}
),

companies as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_company') }}
),

redemptions as (
    select b2border_id, b2bcoupon_id, min(b2bcouponredemption_created_on) as redeemed_on
    from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2bcouponredemption') }}
    group by b2border_id, b2bcoupon_id
),

receipts as (
    select * from (
        select
            *,
            row_number() over (partition by b2border_id order by b2breceipt_id desc) as recency
        from {{ ref('stg__xpro__app__postgres__b2b_ecommerce_b2breceipt') }}
        where b2breceipt_transaction_status <> 'ERROR'
    ) as ranked
    where recency = 1
),

redeemed_versions as (
    select distinct couponpaymentversion_id
    from {{ ref('int__mitxpro__ecommerce_order') }}
    where couponpaymentversion_id is not null
)

select
    b2b_orders.b2border_id,
    b2b_orders.b2border_status,
    b2b_orders.b2border_email,
    b2b_orders.b2border_num_seats,
    b2b_orders.b2border_per_item_price,
    b2b_orders.b2border_total_price,
    b2b_orders.b2border_discount,
    b2b_orders.b2border_contract_number,
    b2b_orders.b2border_created_on,
    b2b_orders.b2border_updated_on,
    b2b_orders.productversion_id,
    products.product_id,
    products.product_type,
    products.product_readable_id,
    products.courserun_id,
    products.courserun_readable_id,
    b2b_orders.couponpaymentversion_id,
    payment_versions.couponpaymentversion_coupon_type,
    payment_versions.couponpaymentversion_discount_source,
    payment_versions.couponpaymentversion_payment_transaction,
    payment_versions.company_id,
    companies.company_name,
    b2b_orders.b2bcoupon_id,
    case
        when b2b_orders.b2border_status in ('fulfilled', 'refunded') then redemptions.redeemed_on
    end as b2bcoupon_redeemed_on,
    redeemed_versions.couponpaymentversion_id is not null as b2border_is_redeemed_in_orders,
    receipts.b2breceipt_id,
    receipts.b2breceipt_reference_number,
    receipts.b2breceipt_transaction_id,
    receipts.b2breceipt_transaction_uuid,
    receipts.b2breceipt_transaction_type,
    receipts.b2breceipt_authorization_code,
    case receipts.b2breceipt_payment_method when 'card' then 'credit_card'
        else receipts.b2breceipt_payment_method end as b2breceipt_payment_method,
    receipts.b2breceipt_payment_amount,
    receipts.b2breceipt_payment_currency,
    receipts.b2breceipt_payment_card_number,
    receipts.b2breceipt_payment_card_type,
    receipts.b2breceipt_payment_timestamp,
    receipts.b2breceipt_payer_name,
    receipts.b2breceipt_payer_email,
    receipts.b2breceipt_payer_ip_address,
    receipts.b2breceipt_bill_to_address_state,
    receipts.b2breceipt_bill_to_address_country
from b2b_orders
left join product_versions on b2b_orders.productversion_id = product_versions.productversion_id
left join products on product_versions.product_id = products.product_id
left join payment_versions
    on b2b_orders.couponpaymentversion_id = payment_versions.couponpaymentversion_id
left join companies on payment_versions.company_id = companies.company_id
left join redemptions
    on b2b_orders.b2border_id = redemptions.b2border_id
    and b2b_orders.b2bcoupon_id = redemptions.b2bcoupon_id
left join receipts on b2b_orders.b2border_id = receipts.b2border_id
left join redeemed_versions
    on b2b_orders.couponpaymentversion_id = redeemed_versions.couponpaymentversion_id
