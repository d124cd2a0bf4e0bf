-- Ecommerce order lines of every platform with their product, coupon, tax and payment receipt:
-- one row per (platform, order_id, line_id). MicroMasters sells seats in edX.org course runs,
-- so its orders are edX.org's. The receipt is the order's latest payment response that is not
-- an error (a refunded MITx Online order shows its refund's transaction id and authorization).
{%- set receipt_fields = [
    'authorization_code', 'bill_to_address_state', 'bill_to_address_country',
    'payment_amount', 'payment_currency', 'payment_card_number', 'payment_card_type',
    'payment_method', 'payment_timestamp', 'payer_name', 'payer_email', 'payer_ip_address',
] %}
with accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where user_account_source = 'app'
),

mitxonline_transactions as (
    select * from {{ ref('int__mitxonline__ecommerce_transaction') }}
),

mitxonline_refunds as (
    select * from (
        select
            *,
            row_number() over (partition by order_id order by transaction_id desc) as recency
        from mitxonline_transactions
        where transaction_type = 'refund'
    ) as ranked
    where recency = 1
),

{%- for platform, model in [
    ('xpro', 'int__mitxpro__ecommerce_receipt'),
    ('bootcamps', 'int__bootcamps__ecommerce_receipt'),
] %}

{{ platform }}_receipts as (
    select * from (
        select
            *,
            row_number() over (partition by order_id order by receipt_id desc) as recency
        from {{ ref(model) }}
        where receipt_transaction_status <> 'ERROR'
    ) as ranked
    where recency = 1
),
{%- endfor %}

mitxonline as (
    select
        {{ platform_name('mitxonline') }} as platform,
        'mitxonline' as platform_readable_id,
        orders.order_id,
        orders.line_id,
        orders.discount_code as coupon_code,
        cast(null as integer) as coupon_id,
        cast(null as integer) as b2bcoupon_id,
        cast(null as {{ dbt.type_string() }}) as b2border_contract_number,
        cast(null as {{ dbt.type_string() }}) as coupon_name,
        orders.discountredemption_timestamp as coupon_redeemed_on,
        orders.discount_redemption_type as coupon_type,
        cast(null as {{ dbt.type_string() }}) as couponpaymentversion_payment_transaction,
        orders.courserun_id,
        orders.courserun_readable_id,
        -- A fixed-price discount is shown as the amount it takes off the product's price.
        case
            when orders.discount_type = 'fixed-price'
                then cast(cast(orders.product_price - orders.discount_amount as decimal(38, 2))
                    as varchar)
            else orders.discount_amount_text
        end as discount,
        orders.order_created_on,
        orders.order_reference_number,
        orders.order_state,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_rate_name,
        orders.order_total_price_paid as order_total_price_paid_plus_tax,
        orders.order_total_price_paid,
        cast(null as {{ dbt.type_string() }}) as order_type,
        orders.product_id,
        coalesce(orders.courserun_readable_id, orders.program_readable_id) as product_readable_id,
        orders.product_type,
        coalesce(refunds.transaction_authorization_code, payments.transaction_authorization_code)
            as receipt_authorization_code,
        {%- for field in receipt_fields if field != 'authorization_code' %}
        payments.transaction_{{ 'timestamp' if field == 'payment_timestamp' else field }}
            as receipt_{{ field }},
        {%- endfor %}
        payments.transaction_req_type as receipt_payment_transaction_type,
        payments.transaction_uuid as receipt_payment_transaction_uuid,
        coalesce(refunds.transaction_readable_identifier, payments.transaction_readable_identifier)
            as receipt_transaction_id,
        orders.user_email as redeemed_email,
        payments.transaction_reference_number as req_reference_number,
        orders.product_price as unit_price,
        orders.user_id
    from {{ ref('int__mitxonline__ecommerce_order') }} as orders
    left join mitxonline_transactions as payments
        on orders.transaction_id = payments.transaction_id
    left join mitxonline_refunds as refunds on orders.order_id = refunds.order_id
),

xpro as (
    select
        {{ platform_name('xpro') }} as platform,
        'xpro' as platform_readable_id,
        orders.order_id,
        lines.line_id,
        orders.coupon_code,
        orders.coupon_id,
        cast(null as integer) as b2bcoupon_id,
        cast(null as {{ dbt.type_string() }}) as b2border_contract_number,
        orders.coupon_name,
        orders.coupon_redeemed_on,
        orders.couponpaymentversion_coupon_type as coupon_type,
        orders.couponpaymentversion_payment_transaction,
        products.courserun_id,
        products.courserun_readable_id,
        orders.couponpaymentversion_discount_amount_text as discount,
        orders.order_created_on,
        concat('xpro-b2c-production-', cast(orders.order_id as varchar)) as order_reference_number,
        orders.order_state,
        orders.order_tax_amount,
        orders.order_tax_country_code,
        orders.order_tax_rate,
        orders.order_tax_rate_name,
        orders.order_total_price_paid_plus_tax,
        orders.order_total_price_paid,
        -- Staff and B2B purchases are told apart by the coupon's payment: its company, source
        -- and purchase-order transaction.
        case
            when orders.company_name = 'MIT Open Learning'
                or orders.couponpaymentversion_discount_source = 'staff' then 'staff'
            when orders.company_name in ('Boeing', 'BOEING_NO_MATCH_VOUCHER') then 'Boeing'
            when orders.company_id is not null
                or trim(orders.couponpaymentversion_payment_transaction) <> '' then 'B2B'
            else 'B2C'
        end as order_type,
        lines.product_id,
        lines.product_readable_id,
        products.product_type,
        {%- for field in receipt_fields %}
        receipts.receipt_{{ field }},
        {%- endfor %}
        receipts.receipt_transaction_type as receipt_payment_transaction_type,
        receipts.receipt_transaction_uuid as receipt_payment_transaction_uuid,
        receipts.receipt_transaction_id,
        accounts.user_email as redeemed_email,
        receipts.receipt_reference_number as req_reference_number,
        lines.product_price as unit_price,
        orders.order_purchaser_user_id as user_id
    from {{ ref('int__mitxpro__ecommerce_order') }} as orders
    inner join {{ ref('int__mitxpro__ecommerce_line') }} as lines
        on orders.order_id = lines.order_id
    left join {{ ref('int__mitxpro__ecommerce_product') }} as products
        on lines.product_id = products.product_id
    left join xpro_receipts as receipts on orders.order_id = receipts.order_id
    left join accounts
        on accounts.platform_readable_id = 'xpro'
        and orders.order_purchaser_user_id = accounts.user_id
),

bootcamps as (
    select
        {{ platform_name('bootcamps') }} as platform,
        'bootcamps' as platform_readable_id,
        orders.order_id,
        orders.line_id,
        cast(null as {{ dbt.type_string() }}) as coupon_code,
        cast(null as integer) as coupon_id,
        cast(null as integer) as b2bcoupon_id,
        cast(null as {{ dbt.type_string() }}) as b2border_contract_number,
        cast(null as {{ dbt.type_string() }}) as coupon_name,
        cast(null as {{ type_timestamptz() }}) as coupon_redeemed_on,
        cast(null as {{ dbt.type_string() }}) as coupon_type,
        cast(null as {{ dbt.type_string() }}) as couponpaymentversion_payment_transaction,
        orders.courserun_id,
        orders.courserun_readable_id,
        cast(null as {{ dbt.type_string() }}) as discount,
        orders.order_created_on,
        orders.order_reference_number,
        orders.order_state,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_rate_name,
        orders.order_total_price_paid as order_total_price_paid_plus_tax,
        orders.order_total_price_paid,
        cast(null as {{ dbt.type_string() }}) as order_type,
        cast(null as integer) as product_id,
        cast(null as {{ dbt.type_string() }}) as product_readable_id,
        cast(null as {{ dbt.type_string() }}) as product_type,
        {%- for field in receipt_fields %}
        receipts.receipt_{{ field }},
        {%- endfor %}
        receipts.receipt_transaction_type as receipt_payment_transaction_type,
        receipts.receipt_transaction_uuid as receipt_payment_transaction_uuid,
        receipts.receipt_transaction_id,
        cast(null as {{ dbt.type_string() }}) as redeemed_email,
        receipts.receipt_reference_number as req_reference_number,
        orders.line_price as unit_price,
        orders.order_purchaser_user_id as user_id
    from {{ ref('int__bootcamps__ecommerce_order') }} as orders
    left join bootcamps_receipts as receipts on orders.order_id = receipts.order_id
),

micromasters as (
    select
        {{ platform_name('edxorg') }} as platform,
        'micromasters' as platform_readable_id,
        orders.order_id,
        orders.line_id,
        orders.coupon_code,
        orders.coupon_id,
        cast(null as integer) as b2bcoupon_id,
        cast(null as {{ dbt.type_string() }}) as b2border_contract_number,
        cast(null as {{ dbt.type_string() }}) as coupon_name,
        orders.redeemedcoupon_created_on as coupon_redeemed_on,
        orders.coupon_type,
        cast(null as {{ dbt.type_string() }}) as couponpaymentversion_payment_transaction,
        cast(null as integer) as courserun_id,
        orders.courserun_readable_id,
        case
            when orders.coupon_amount_type = 'fixed-price'
                then cast(cast(orders.line_price - orders.order_total_price_paid as decimal(38, 2))
                    as varchar)
            else orders.coupon_discount_amount_text
        end as discount,
        orders.order_created_on,
        orders.order_reference_number,
        orders.order_state,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_rate_name,
        orders.order_total_price_paid as order_total_price_paid_plus_tax,
        orders.order_total_price_paid,
        cast(null as {{ dbt.type_string() }}) as order_type,
        cast(null as integer) as product_id,
        cast(null as {{ dbt.type_string() }}) as product_readable_id,
        cast(null as {{ dbt.type_string() }}) as product_type,
        {%- for field in receipt_fields %}
        orders.receipt_{{ field }},
        {%- endfor %}
        orders.receipt_transaction_type as receipt_payment_transaction_type,
        orders.receipt_transaction_uuid as receipt_payment_transaction_uuid,
        orders.receipt_transaction_id,
        cast(null as {{ dbt.type_string() }}) as redeemed_email,
        orders.receipt_reference_number as req_reference_number,
        orders.line_price as unit_price,
        orders.user_id
    from {{ ref('int__micromasters__orders') }} as orders
),

combined as (
    select * from mitxonline
    union all
    select * from xpro
    union all
    select * from bootcamps
    union all
    select * from micromasters
)

select
    {{ generate_surrogate_key(['combined.platform_readable_id', 'combined.order_id', 'combined.line_id']) }}
        as combined_orders_hash_id,
    combined.*,
    accounts.user_email,
    {{ generate_surrogate_key(['combined.platform_readable_id', 'combined.user_id']) }}
        as user_hashed_id
from combined
left join accounts
    on combined.platform_readable_id = accounts.platform_readable_id
    and combined.user_id = accounts.user_id
