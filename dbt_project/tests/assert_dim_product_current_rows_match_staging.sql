-- Each product of the applications has exactly one current dim_product row, at its current
-- price (MITx Online: the product's price; xPRO: its newest product version's price).
with staged as (
    select 'mitxonline' as platform_readable_id, product_id, product_price
    from {{ ref('stg__mitxonline__app__postgres__ecommerce_product') }}
    union all
    select 'xpro', product_id, product_list_price
    from {{ ref('int__mitxpro__ecommerce_product') }}
),

current_rows as (
    select platform_readable_id, source_product_id, product_price,
        count(*) over (partition by platform_readable_id, source_product_id) as copies
    from {{ ref('dim_product') }}
    where is_current
)

select
    coalesce(staged.platform_readable_id, current_rows.platform_readable_id) as platform_readable_id,
    coalesce(staged.product_id, current_rows.source_product_id) as product_id,
    staged.product_price as staged_price,
    current_rows.product_price as current_price,
    current_rows.copies
from staged
full outer join current_rows
    on staged.platform_readable_id = current_rows.platform_readable_id
    and staged.product_id = current_rows.source_product_id
where staged.product_id is null
    or current_rows.source_product_id is null
    or current_rows.copies > 1
    or staged.product_price <> current_rows.product_price
