-- MicroMasters orders of edX.org course-run seats, one row per (order_id, line_id): the
-- order, the run bought and its price, the coupon redeemed and the accepted payment receipt.
with orders as (
    select * from {{ ref('stg__micromasters__app__postgres__ecommerce_order') }}
),

lines as (
    select * from {{ ref('stg__micromasters__app__postgres__ecommerce_line') }}
),

redeemed as (
    select * from (
        select
            *,
            row_number() over (
                partition by order_id order by redeemedcoupon_created_on, redeemedcoupon_id
            ) as _redemption_rank
        from {{ ref('stg__micromasters__app__postgres__ecommerce_redeemedcoupon') }}
    ) as ranked
    where _redemption_rank = 1
),

coupons as (
    select * from {{ ref('stg__micromasters__app__postgres__ecommerce_coupon') }}
),

-- An order's payment is its accepted receipt (a declined attempt does not pay for it).
receipts as (
    select * from (
        select
            *,
            row_number() over (partition by order_id order by receipt_id desc) as _receipt_rank
        from {{ ref('stg__micromasters__app__postgres__ecommerce_receipt') }}
        where receipt_transaction_status = 'ACCEPT'
    ) as ranked
    where _receipt_rank = 1
)

select
    orders.order_id,
    lines.line_id,
    orders.order_state,
    orders.user_id,
    orders.order_reference_number,
    orders.order_total_price_paid,
    orders.order_created_on,
    orders.order_updated_on,
    lines.courserun_readable_id,
    lines.line_price,
    lines.line_description,
    coupons.coupon_id,
    coupons.coupon_code,
    coupons.coupon_type,
    coupons.coupon_amount_type,
    coupons.coupon_discount_amount_text,
    redeemed.redeemedcoupon_created_on,
    receipts.receipt_id,
    receipts.receipt_authorization_code,
    receipts.receipt_transaction_id,
    receipts.receipt_reference_number,
    receipts.receipt_transaction_uuid,
    receipts.receipt_transaction_type,
    receipts.receipt_payment_amount,
    receipts.receipt_payment_currency,
    receipts.receipt_payment_method,
    receipts.receipt_payment_card_number,
    receipts.receipt_payment_card_type,
    receipts.receipt_payer_name,
    receipts.receipt_payer_email,
    receipts.receipt_payer_ip_address,
    receipts.receipt_bill_to_address_state,
    receipts.receipt_bill_to_address_country,
    receipts.receipt_payment_timestamp
from orders
inner join lines on orders.order_id = lines.order_id
left join redeemed on orders.order_id = redeemed.order_id
left join coupons on redeemed.coupon_id = coupons.coupon_id
left join receipts on orders.order_id = receipts.order_id
