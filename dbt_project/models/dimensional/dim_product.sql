-- Products sold by MITx Online and xPRO with type-2 price history: one row per version of a
-- product (product_version_pk). product_pk = surrogate of (platform_readable_id, product_id)
-- is stable across versions; facts join the current row (is_current).
-- A MITx Online product's versions are the price/active states the raw Airbyte extractions
-- observed; an xPRO product's versions are its product versions (the application versions
-- prices itself), each effective from its creation to the next one's.
with mitxonline_raw as (
    select
        id as product_id,
        cast(price as decimal(38, 2)) as product_price,
        is_active as product_is_active,
        _airbyte_raw_id,
        _airbyte_extracted_at
    from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__ecommerce_product') }}
),

mitxonline_history as (
    {{ raw_version_history('mitxonline_raw', 'product_id', ['product_price', 'product_is_active']) }}
),

mitxonline as (
    select
        'mitxonline' as platform_readable_id,
        products.product_id,
        products.product_type,
        products.courserun_readable_id,
        products.program_readable_id,
        history.product_price,
        history.product_is_active,
        products.product_created_on,
        history.effective_date,
        history.end_date,
        history.is_current
    from mitxonline_history as history
    inner join {{ ref('int__mitxonline__ecommerce_product') }} as products
        on history.product_id = products.product_id
),

xpro_versions as (
    select
        *,
        lead(productversion_created_on) over (
            partition by product_id order by productversion_created_on, productversion_id
        ) as next_version_on,
        row_number() over (
            partition by product_id order by productversion_created_on desc, productversion_id desc
        ) as recency
    from {{ ref('stg__xpro__app__postgres__ecommerce_productversion') }}
),

xpro as (
    select
        'xpro' as platform_readable_id,
        products.product_id,
        products.product_type,
        products.courserun_readable_id,
        products.program_readable_id,
        versions.productversion_price as product_price,
        products.product_is_active,
        products.product_created_on,
        cast(versions.productversion_created_on as {{ type_timestamptz() }}) as effective_date,
        cast(case when versions.recency > 1 then versions.next_version_on end
            as {{ type_timestamptz() }}) as end_date,
        versions.recency = 1 as is_current
    from xpro_versions as versions
    inner join {{ ref('int__mitxpro__ecommerce_product') }} as products
        on versions.product_id = products.product_id
),

products as (
    select * from mitxonline
    union all
    select * from xpro
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['products.platform_readable_id', 'products.product_id', 'products.effective_date']) }}
        as product_version_pk,
    {{ generate_surrogate_key(['products.platform_readable_id', 'products.product_id']) }}
        as product_pk,
    products.product_id as source_product_id,
    products.product_type,
    course_runs.courserun_pk as courserun_fk,
    case when products.program_readable_id is not null then
        {{ generate_surrogate_key(['products.platform_readable_id', 'products.program_readable_id']) }}
    end as program_fk,
    platforms.platform_pk as platform_fk,
    platforms.platform_name as platform,
    products.platform_readable_id,
    products.courserun_readable_id,
    products.program_readable_id,
    products.product_price,
    'USD' as product_currency,
    products.product_is_active,
    {{ date_key('products.product_created_on') }} as created_date_key,
    products.effective_date,
    products.end_date,
    products.is_current
from products
inner join platforms on products.platform_readable_id = platforms.platform_readable_id
left join course_runs
    on products.platform_readable_id = course_runs.platform_readable_id
    and products.courserun_readable_id = course_runs.courserun_readable_id
