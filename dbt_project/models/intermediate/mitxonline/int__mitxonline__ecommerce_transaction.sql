-- MITx Online payment transactions, one row per transaction: payments and refunds of orders,
-- with the payment processor's response fields. The processor's 'card' method is the
-- warehouse's 'credit_card' payment method code.
select
    transaction_id,
    order_id,
    transaction_readable_identifier,
    transaction_type,
    transaction_amount,
    transaction_reason,
    transaction_transaction_status as transaction_status,
    transaction_authorization_code,
    transaction_reference_number,
    transaction_transaction_uuid as transaction_uuid,
    transaction_transaction_type as transaction_req_type,
    transaction_payment_amount,
    transaction_payment_currency,
    case transaction_payment_method when 'card' then 'credit_card'
        else transaction_payment_method end as transaction_payment_method,
    transaction_payment_card_number,
    transaction_payment_card_type,
    transaction_payer_name,
    transaction_payer_email,
    transaction_payer_ip_address,
    transaction_bill_to_address_state,
    transaction_bill_to_address_country,
    transaction_payment_timestamp as transaction_timestamp,
    transaction_created_on,
    transaction_updated_on
from {{ ref('stg__mitxonline__app__postgres__ecommerce_transaction') }}
