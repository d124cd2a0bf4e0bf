-- Ecommerce order lines of every platform with their product, coupon, tax and payment receipt:
-- one row per (platform, order_id, line_id), and one per xPRO B2B order that no ordinary order
-- reaches (seats bought and not redeemed yet, or not paid yet: order_id and line_id null,
-- b2border_id set). MicroMasters sells seats in edX.org course runs, so its orders are
-- edX.org's. The receipt is the order's latest payment response that is not an error (a
-- refunded MITx Online order shows its refund's transaction id and authorization).
{%- set receipt_fields = [
    'authorization_code', 'bill_to_address_state', 'bill_to_address_country',
    'payment_amount', 'payment_currency', 'payment_card_number', 'payment_card_type',
    'payment_method', 'payment_timestamp', 'payer_name', 'payer_email', 'payer_ip_address',
] %}
{#- The platforms' own SQL: the tables their lines are read from and longer expressions. -#}
{%- set mitxonline_from %}
    from {{ ref('int__mitxonline__ecommerce_order') }} as orders
    left join mitxonline_transactions as payments
        on orders.transaction_id = payments.transaction_id
    left join mitxonline_refunds as refunds on orders.order_id = refunds.order_id
{%- endset %}
{%- set mitxonline_discount %}
        -- A fixed-price discount is shown as the amount it takes off the product's price.
        case
            when orders.discount_type = 'fixed-price'
                then cast(cast(orders.product_price - orders.discount_amount as decimal(38, 2))
                    as varchar)
            else orders.discount_amount_text
        end
{%- endset %}
{%- set xpro_from %}
    from {{ ref('int__mitxpro__ecommerce_order') }} as orders
    inner join {{ ref('int__mitxpro__ecommerce_line') }} as lines
        on orders.order_id = lines.order_id
    left join {{ ref('int__mitxpro__ecommerce_product') }} as products
        on lines.product_id = products.product_id
    left join xpro_receipts as receipts on orders.order_id = receipts.order_id
    left join accounts
        on accounts.platform_readable_id = 'xpro'
        and orders.order_purchaser_user_id = accounts.user_id
{%- endset %}
{#-
  xPRO's order type. Staff and company purchases are told apart by the coupon's payment: its
  company and source; an ordinary order is B2B by the payment's company or purchase-order
  transaction, and a B2B order's own row always is.
-#}
{%- set xpro_staff_or_boeing %}
            when orders.company_name = 'MIT Open Learning'
                or orders.couponpaymentversion_discount_source = 'staff' then 'staff'
            when orders.company_name in ('Boeing', 'BOEING_NO_MATCH_VOUCHER') then 'Boeing'
{%- endset %}
{%- set xpro_order_type %}
        case
            {{- xpro_staff_or_boeing }}
            when orders.company_id is not null
                or trim(orders.couponpaymentversion_payment_transaction) <> '' then 'B2B'
            else 'B2C'
        end
{%- endset %}
{#- A B2B order whose seats some ordinary order redeemed is already on that order's row. -#}
{%- set xpro_b2b_from %}
    from {{ ref('int__mitxpro__b2becommerce_b2border') }} as orders
    where not orders.b2border_is_redeemed_in_orders
{%- endset %}
{%- set xpro_b2b_order_type %}
        case
            {{- xpro_staff_or_boeing }}
            else 'B2B'
        end
{%- endset %}
{%- set bootcamps_from %}
    from {{ ref('int__bootcamps__ecommerce_order') }} as orders
    left join bootcamps_receipts as receipts on orders.order_id = receipts.order_id
{%- endset %}
{%- set micromasters_from %}
    from {{ ref('int__micromasters__orders') }} as orders
{%- endset %}
{%- set micromasters_discount %}
        case
            when orders.coupon_amount_type = 'fixed-price'
                then cast(cast(orders.line_price - orders.order_total_price_paid as decimal(38, 2))
                    as varchar)
            else orders.coupon_discount_amount_text
        end
{%- endset %}

{#-
  The columns of an order line, in order, with the type of the null a platform lacking the
  column gets (none: every platform has it).
-#}
{%- set string = dbt.type_string() %}
{%- set order_columns = [
    ('platform', none), ('platform_readable_id', none), ('order_id', none), ('line_id', none),
    ('coupon_code', string), ('coupon_id', 'integer'), ('b2bcoupon_id', 'integer'),
    ('b2border_id', 'integer'),
    ('b2border_contract_number', string), ('coupon_name', string),
    ('coupon_redeemed_on', type_timestamptz()), ('coupon_type', string),
    ('couponpaymentversion_payment_transaction', string), ('courserun_id', 'integer'),
    ('courserun_readable_id', none), ('discount', string), ('order_created_on', none),
    ('order_reference_number', none), ('order_state', none),
    ('order_tax_amount', 'decimal(38, 2)'), ('order_tax_country_code', string),
    ('order_tax_rate', 'decimal(38, 4)'), ('order_tax_rate_name', string),
    ('order_total_price_paid_plus_tax', none), ('order_total_price_paid', none),
    ('order_type', string), ('product_id', 'integer'), ('product_readable_id', string),
    ('product_type', string),
] %}
{%- for field in receipt_fields %}
{%- do order_columns.append(('receipt_' ~ field, none)) %}
{%- endfor %}
{%- do order_columns.extend([
    ('receipt_payment_transaction_type', none), ('receipt_payment_transaction_uuid', none),
    ('receipt_transaction_id', none), ('redeemed_email', string),
    ('req_reference_number', none), ('unit_price', none), ('user_id', none),
]) %}

{#-
  Each platform's order lines: where they are read from; the columns whose SQL is not
  orders.<column> (those absent from 'columns' and 'absent'); the columns it lacks (null);
  and its payment receipts' table alias and column prefix (receipt_* columns, see
  receipt_column below).
  MicroMasters sells seats in edX.org runs: its lines carry edX.org's platform name.
-#}
{%- set tax_columns = [
    'order_tax_amount', 'order_tax_country_code', 'order_tax_rate', 'order_tax_rate_name',
] %}
{%- set order_sources = [
    {'platform': 'mitxonline', 'from': mitxonline_from,
     'receipts': ('payments', 'transaction_'),
     'columns': {
        'coupon_code': 'orders.discount_code',
        'coupon_redeemed_on': 'orders.discountredemption_timestamp',
        'coupon_type': 'orders.discount_redemption_type',
        'discount': mitxonline_discount,
        'order_total_price_paid_plus_tax': 'orders.order_total_price_paid',
        'product_readable_id':
            'coalesce(orders.courserun_readable_id, orders.program_readable_id)',
        'receipt_authorization_code': 'coalesce(refunds.transaction_authorization_code, '
            ~ 'payments.transaction_authorization_code)',
        'receipt_payment_timestamp': 'payments.transaction_timestamp',
        'receipt_payment_transaction_type': 'payments.transaction_req_type',
        'receipt_payment_transaction_uuid': 'payments.transaction_uuid',
        'receipt_transaction_id': 'coalesce(refunds.transaction_readable_identifier, '
            ~ 'payments.transaction_readable_identifier)',
        'redeemed_email': 'orders.user_email',
        'req_reference_number': 'payments.transaction_reference_number',
        'unit_price': 'orders.product_price',
     },
     'absent': ['coupon_id', 'b2bcoupon_id', 'b2border_id', 'b2border_contract_number',
                'coupon_name', 'couponpaymentversion_payment_transaction', 'order_type']
                + tax_columns},
    {'platform': 'xpro', 'from': xpro_from,
     'receipts': ('receipts', 'receipt_'),
     'columns': {
        'line_id': 'lines.line_id',
        'coupon_type': 'orders.couponpaymentversion_coupon_type',
        'courserun_id': 'products.courserun_id',
        'courserun_readable_id': 'products.courserun_readable_id',
        'discount': 'orders.couponpaymentversion_discount_amount_text',
        'order_reference_number':
            "concat('xpro-b2c-production-', cast(orders.order_id as varchar))",
        'order_type': xpro_order_type,
        'product_id': 'lines.product_id',
        'product_readable_id': 'lines.product_readable_id',
        'product_type': 'products.product_type',
        'redeemed_email': 'accounts.user_email',
        'unit_price': 'lines.product_price',
        'user_id': 'orders.order_purchaser_user_id',
     },
     'absent': []},
    {'platform': 'xpro', 'from': xpro_b2b_from,
     'receipts': ('orders', 'b2breceipt_'),
     'columns': {
        'order_id': 'cast(null as integer)',
        'line_id': 'cast(null as integer)',
        'coupon_redeemed_on': 'orders.b2bcoupon_redeemed_on',
        'coupon_type': 'orders.couponpaymentversion_coupon_type',
        'discount': 'cast(orders.b2border_discount as ' ~ string ~ ')',
        'order_created_on': 'orders.b2border_created_on',
        'order_reference_number':
            "concat('xpro-b2b-production-', cast(orders.b2border_id as varchar))",
        'order_state': 'orders.b2border_status',
        'order_total_price_paid_plus_tax': 'orders.b2border_total_price',
        'order_total_price_paid': 'orders.b2border_total_price',
        'order_type': xpro_b2b_order_type,
        'unit_price': 'orders.b2border_per_item_price',
        'user_id': 'cast(null as integer)',
     },
     'absent': ['coupon_code', 'coupon_id', 'coupon_name', 'redeemed_email'] + tax_columns},
    {'platform': 'bootcamps', 'from': bootcamps_from,
     'receipts': ('receipts', 'receipt_'),
     'columns': {
        'order_total_price_paid_plus_tax': 'orders.order_total_price_paid',
        'unit_price': 'orders.line_price',
        'user_id': 'orders.order_purchaser_user_id',
     },
     'absent': ['coupon_code', 'coupon_id', 'b2bcoupon_id', 'b2border_id',
                'b2border_contract_number', 'coupon_name', 'coupon_redeemed_on', 'coupon_type',
                'couponpaymentversion_payment_transaction', 'discount', 'order_type',
                'product_id', 'product_readable_id', 'product_type', 'redeemed_email']
                + tax_columns},
    {'platform': 'micromasters', 'from': micromasters_from,
     'receipts': ('orders', 'receipt_'),
     'columns': {
        'platform': platform_name('edxorg'),
        'coupon_redeemed_on': 'orders.redeemedcoupon_created_on',
        'discount': micromasters_discount,
        'order_total_price_paid_plus_tax': 'orders.order_total_price_paid',
        'unit_price': 'orders.line_price',
     },
     'absent': ['b2bcoupon_id', 'b2border_id', 'b2border_contract_number', 'coupon_name',
                'couponpaymentversion_payment_transaction', 'courserun_id', 'order_type',
                'product_id', 'product_readable_id', 'product_type', 'redeemed_email']
                + tax_columns},
] %}

{#- A receipt column's name in the receipt tables when it is not the column's own name. -#}
{%- set receipt_column = {
    'receipt_payment_transaction_type': 'receipt_transaction_type',
    'receipt_payment_transaction_uuid': 'receipt_transaction_uuid',
    'req_reference_number': 'receipt_reference_number',
} %}
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

combined as (
    {%- for source in order_sources %}
    select
        {%- for column, null_type in order_columns %}
        {%- if column in source.columns %}
        {{ source.columns[column] | trim }} as {{ column }}
        {%- elif column in source.absent %}
        cast(null as {{ null_type }}) as {{ column }}
        {%- elif column == 'platform' %}
        {{ platform_name(source.platform) }} as platform
        {%- elif column == 'platform_readable_id' %}
        '{{ source.platform }}' as platform_readable_id
        {%- elif column.startswith('receipt_') or column == 'req_reference_number' %}
        {%- set alias, prefix = source.receipts %}
        {{ alias }}.{{ prefix }}{{ receipt_column.get(column, column).removeprefix('receipt_') }}
            as {{ column }}
        {%- else %}
        orders.{{ column }}
        {%- endif %}
        {{- "," if not loop.last }}
        {%- endfor %}
    {{ source.from | trim }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    -- A B2B order's own row has no order: it is keyed by the B2B order.
    {{ generate_surrogate_key([
        'combined.platform_readable_id',
        "coalesce(cast(combined.order_id as varchar), 'b2b-' || cast(combined.b2border_id as varchar))",
        'combined.line_id',
    ]) }} as combined_orders_hash_id,
    combined.*,
    accounts.user_email,
    -- The person (dim_user.user_pk), as in the other marts: orders join users and enrollments.
    accounts.user_fk as user_hashed_id
from combined
left join accounts
    on combined.platform_readable_id = accounts.platform_readable_id
    and combined.user_id = accounts.user_id
