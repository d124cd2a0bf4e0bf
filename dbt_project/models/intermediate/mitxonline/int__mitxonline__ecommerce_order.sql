-- MITx Online order lines, one row per (order_id, line_id): the order, the purchased product
-- at the price of the product version the line bought, the purchaser, the discount redeemed
-- on the order and its payment transaction (a refunded order keeps its payment here).
with orders as (
    select * from {{ ref('stg__mitxonline__app__postgres__ecommerce_order') }}
),

lines as (
    select * from {{ ref('stg__mitxonline__app__postgres__ecommerce_line') }}
),

versions as (
    select * from {{ ref('stg__mitxonline__app__postgres__reversion_version') }}
),

products as (
    select * from {{ ref('int__mitxonline__ecommerce_product') }}
),

users as (
    select * from {{ ref('stg__mitxonline__app__postgres__users_user') }}
),

-- The application applies one discount to an order; keep its first redemption so a repeated
-- redemption row cannot duplicate the order's lines.
redemptions as (
    select * from (
        select
            *,
            row_number() over (
                partition by order_id order by discountredemption_timestamp, discountredemption_id
            ) as _redemption_rank
        from {{ ref('stg__mitxonline__app__postgres__ecommerce_discountredemption') }}
    ) as ranked
    where _redemption_rank = 1
),

discounts as (
    select * from {{ ref('stg__mitxonline__app__postgres__ecommerce_discount') }}
),

-- An order is paid at most once; its refund is a second transaction of type 'refund'.
payments as (
    select order_id, max(transaction_id) as transaction_id
    from {{ ref('stg__mitxonline__app__postgres__ecommerce_transaction') }}
    where transaction_type = 'payment'
    group by order_id
)

select
    orders.order_id,
    lines.line_id,
    orders.order_state,
    orders.order_purchaser_user_id as user_id,
    users.user_username,
    users.user_email,
    orders.order_reference_number,
    orders.order_total_price_paid,
    orders.order_created_on,
    orders.order_updated_on,
    lines.product_version_id,
    products.product_id,
    products.product_type,
    products.courserun_id,
    products.courserun_readable_id,
    products.program_id,
    products.program_readable_id,
    -- The price the line was bought at is that of the product version it references.
    cast({{ json_text_at('versions.version_serialized_data', '$[0].fields.price') }}
        as decimal(38, 2)) as product_price,
    redemptions.discount_id,
    discounts.discount_code,
    discounts.discount_type,
    discounts.discount_amount,
    discounts.discount_amount_text,
    discounts.discount_redemption_type,
    discounts.discount_source,
    redemptions.discountredemption_timestamp,
    payments.transaction_id
from orders
inner join lines on orders.order_id = lines.order_id
inner join versions on lines.product_version_id = versions.version_id
inner join products on versions.version_object_id = products.product_id
left join users on orders.order_purchaser_user_id = users.user_id
left join redemptions on orders.order_id = redemptions.order_id
left join discounts on redemptions.discount_id = discounts.discount_id
left join payments on orders.order_id = payments.order_id
