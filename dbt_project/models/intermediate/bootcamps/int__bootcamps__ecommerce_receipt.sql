-- Bootcamps payment receipts, one row per receipt: the payment processor's response to an
-- order's payment attempt.
select
    receipt_id,
    order_id,
    receipt_transaction_status,
    receipt_transaction_id,
    receipt_authorization_code,
    receipt_reference_number,
    receipt_transaction_uuid,
    receipt_transaction_type,
    receipt_payment_amount,
    receipt_payment_currency,
    case receipt_payment_method when 'card' then 'credit_card'
        else receipt_payment_method end as receipt_payment_method,
    receipt_payment_card_number,
    receipt_payment_card_type,
    receipt_payer_name,
    receipt_payer_email,
    receipt_payer_ip_address,
    receipt_bill_to_address_state,
    receipt_bill_to_address_country,
    receipt_payment_timestamp,
    receipt_created_on,
    receipt_updated_on
from {{ ref('stg__bootcamps__app__postgres__ecommerce_receipt') }}
