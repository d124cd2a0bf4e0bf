-- Payments and refunds of ecommerce orders: MITx Online transactions and the payment receipts
-- of xPRO, Bootcamps and MicroMasters. Grain: one row per (platform, payment_id) (payment_key),
-- a payment attempt as the processor answered it (transaction_status: ACCEPT, DECLINE, ...).
-- The payer is the order's purchaser (user_fk through the purchaser's application account).
with mitxonline as (
    select
        'mitxonline' as platform_readable_id,
        transactions.transaction_id as payment_id,
        transactions.order_id,
        orders.order_purchaser_user_id as user_id,
        transactions.transaction_amount,
        transactions.transaction_type,
        transactions.transaction_status,
        transactions.transaction_payment_method as payment_method,
        transactions.transaction_created_on
    from {{ ref('int__mitxonline__ecommerce_transaction') }} as transactions
    left join {{ ref('stg__mitxonline__app__postgres__ecommerce_order') }} as orders
        on transactions.order_id = orders.order_id
),

{%- for platform_readable_id, receipts, orders, purchaser in [
    ('xpro', 'int__mitxpro__ecommerce_receipt', 'stg__xpro__app__postgres__ecommerce_order', 'order_purchaser_user_id'),
    ('bootcamps', 'int__bootcamps__ecommerce_receipt', 'stg__bootcamps__app__postgres__ecommerce_order', 'order_purchaser_user_id'),
    ('micromasters', 'stg__micromasters__app__postgres__ecommerce_receipt', 'stg__micromasters__app__postgres__ecommerce_order', 'user_id'),
] %}

{{ platform_readable_id }} as (
    select
        '{{ platform_readable_id }}' as platform_readable_id,
        receipts.receipt_id as payment_id,
        receipts.order_id,
        orders.{{ purchaser }} as user_id,
        receipts.receipt_payment_amount as transaction_amount,
        receipts.receipt_transaction_type as transaction_type,
        receipts.receipt_transaction_status as transaction_status,
        case receipts.receipt_payment_method when 'card' then 'credit_card'
            else receipts.receipt_payment_method end as payment_method,
        receipts.receipt_created_on as transaction_created_on
    from {{ ref(receipts) }} as receipts
    left join {{ ref(orders) }} as orders on receipts.order_id = orders.order_id
),
{%- endfor %}

payments as (
    select * from mitxonline
    union all
    select * from xpro
    union all
    select * from bootcamps
    union all
    select * from micromasters
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where user_account_source = 'app'
),

payment_methods as (
    select * from {{ ref('dim_payment_method') }}
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['payments.platform_readable_id', 'payments.payment_id']) }}
        as payment_key,
    payments.payment_id,
    payments.order_id,
    {{ date_key('payments.transaction_created_on') }} as payment_date_key,
    accounts.user_fk,
    platforms.platform_pk as platform_fk,
    platforms.platform_name as platform,
    payments.platform_readable_id,
    payments.user_id,
    payment_methods.payment_method_pk as payment_method_fk,
    payments.transaction_amount,
    payments.transaction_type,
    payments.transaction_status,
    payments.transaction_created_on
from payments
inner join platforms on payments.platform_readable_id = platforms.platform_readable_id
left join accounts
    on payments.platform_readable_id = accounts.platform_readable_id
    and payments.user_id = accounts.user_id
left join payment_methods on payments.payment_method = payment_methods.payment_method_code
