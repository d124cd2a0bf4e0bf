-- Ecommerce order lines of MITx Online, xPRO, Bootcamps and MicroMasters. Grain: one row per
-- (platform, order_id, line_id) (order_key). The order's amounts (order_total_price_paid,
-- tax) repeat on each of its lines and do not add up across lines; line_price does.
-- user_fk is the purchaser's person, resolved through the purchaser's application account.
with mitxonline as (
    select
        'mitxonline' as platform_readable_id,
        order_id,
        line_id,
        user_id,
        product_id,
        product_price as line_price,
        order_state,
        order_total_price_paid,
        order_total_price_paid as order_total_price_paid_plus_tax,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        order_reference_number,
        order_created_on,
        order_updated_on,
        discount_id,
        cast(null as {{ dbt.type_string() }}) as courserun_readable_id
    from {{ ref('int__mitxonline__ecommerce_order') }}
),

xpro as (
    select
        'xpro' as platform_readable_id,
        orders.order_id,
        lines.line_id,
        orders.order_purchaser_user_id as user_id,
        lines.product_id,
        lines.product_price as line_price,
        orders.order_state,
        orders.order_total_price_paid,
        orders.order_total_price_paid_plus_tax,
        orders.order_tax_amount,
        orders.order_tax_rate,
        orders.order_tax_country_code,
        concat('xpro-b2c-production-', cast(orders.order_id as varchar)) as order_reference_number,
        orders.order_created_on,
        orders.order_updated_on,
        orders.coupon_id as discount_id,
        cast(null as {{ dbt.type_string() }}) as courserun_readable_id
    from {{ ref('int__mitxpro__ecommerce_order') }} as orders
    inner join {{ ref('int__mitxpro__ecommerce_line') }} as lines
        on orders.order_id = lines.order_id
),

bootcamps as (
    select
        'bootcamps' as platform_readable_id,
        order_id,
        line_id,
        order_purchaser_user_id as user_id,
        cast(null as integer) as product_id,
        line_price,
        order_state,
        order_total_price_paid,
        order_total_price_paid as order_total_price_paid_plus_tax,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        order_reference_number,
        order_created_on,
        order_updated_on,
        cast(null as integer) as discount_id,
        courserun_readable_id
    from {{ ref('int__bootcamps__ecommerce_order') }}
),

micromasters as (
    select
        'micromasters' as platform_readable_id,
        order_id,
        line_id,
        user_id,
        cast(null as integer) as product_id,
        line_price,
        order_state,
        order_total_price_paid,
        order_total_price_paid as order_total_price_paid_plus_tax,
        cast(null as decimal(38, 2)) as order_tax_amount,
        cast(null as decimal(38, 4)) as order_tax_rate,
        cast(null as {{ dbt.type_string() }}) as order_tax_country_code,
        order_reference_number,
        order_created_on,
        order_updated_on,
        coupon_id as discount_id,
        courserun_readable_id
    from {{ ref('int__micromasters__orders') }}
),

order_lines as (
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

products as (
    select * from {{ ref('dim_product') }}
    where is_current
),

discounts as (
    select * from {{ ref('dim_discount') }}
),

tax_rates as (
    select * from {{ ref('dim_tax_rate') }}
),

platforms as (
    select * from {{ ref('dim_platform') }}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
)

select
    {{ generate_surrogate_key(['order_lines.platform_readable_id', 'order_lines.order_id', 'order_lines.line_id']) }}
        as order_key,
    order_lines.order_id,
    order_lines.line_id,
    {{ date_key('order_lines.order_created_on') }} as order_date_key,
    {{ date_key('order_lines.order_updated_on') }} as order_updated_date_key,
    accounts.user_fk,
    platforms.platform_pk as platform_fk,
    products.product_pk as product_fk,
    -- The run the line pays for: the product's run (MITx Online, xPRO), else the line's own
    -- (Bootcamps; MicroMasters lines name an edX course key, resolved as run_fk says).
    coalesce(products.courserun_fk, {{ run_fk() }}) as courserun_fk,
    discounts.discount_pk as discount_fk,
    discounts.discount_type_fk,
    tax_rates.tax_rate_pk as tax_rate_fk,
    platforms.platform_name as platform,
    order_lines.platform_readable_id,
    order_lines.user_id,
    coalesce(products.courserun_readable_id, order_lines.courserun_readable_id)
        as courserun_readable_id,
    order_lines.order_state,
    order_lines.line_price,
    order_lines.order_total_price_paid,
    order_lines.order_total_price_paid_plus_tax,
    order_lines.order_tax_amount,
    order_lines.order_tax_rate,
    order_lines.order_tax_country_code,
    order_lines.order_reference_number,
    order_lines.order_created_on,
    order_lines.order_updated_on
from order_lines
inner join platforms on order_lines.platform_readable_id = platforms.platform_readable_id
left join accounts
    on order_lines.platform_readable_id = accounts.platform_readable_id
    and order_lines.user_id = accounts.user_id
left join products
    on order_lines.platform_readable_id = products.platform_readable_id
    and order_lines.product_id = products.source_product_id
left join discounts
    on order_lines.platform_readable_id = discounts.platform_code
    and order_lines.discount_id = discounts.source_discount_id
left join tax_rates
    on order_lines.platform_readable_id = 'xpro'
    and order_lines.order_tax_country_code = tax_rates.country_code
{{ run_joins('order_lines') }}
