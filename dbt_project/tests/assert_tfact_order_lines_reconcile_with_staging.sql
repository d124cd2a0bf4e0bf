-- Every order line of the applications is in tfact_order once, at the price it was bought at:
-- per platform, the fact's line count and line_price total equal the staging lines' (each line
-- priced by the product version it references, or by its own price).
with staged as (
    select 'mitxonline' as platform_readable_id, lines.line_id,
        cast({{ json_text_at('versions.version_serialized_data', '$[0].fields.price') }}
            as decimal(38, 2)) as line_price
    from {{ ref('stg__mitxonline__app__postgres__ecommerce_line') }} as lines
    inner join {{ ref('stg__mitxonline__app__postgres__reversion_version') }} as versions
        on lines.product_version_id = versions.version_id
    union all
    select 'xpro', lines.line_id, versions.productversion_price
    from {{ ref('stg__xpro__app__postgres__ecommerce_line') }} as lines
    inner join {{ ref('stg__xpro__app__postgres__ecommerce_productversion') }} as versions
        on lines.productversion_id = versions.productversion_id
    union all
    select 'bootcamps', line_id, line_price
    from {{ ref('stg__bootcamps__app__postgres__ecommerce_line') }}
    union all
    select 'micromasters', line_id, line_price
    from {{ ref('stg__micromasters__app__postgres__ecommerce_line') }}
),

staged_totals as (
    select platform_readable_id, count(*) as lines, sum(line_price) as line_price_total
    from staged
    group by platform_readable_id
),

fact_totals as (
    select platform_readable_id, count(*) as lines, sum(line_price) as line_price_total
    from {{ ref('tfact_order') }}
    group by platform_readable_id
)

select
    coalesce(staged_totals.platform_readable_id, fact_totals.platform_readable_id)
        as platform_readable_id,
    staged_totals.lines as staged_lines,
    fact_totals.lines as fact_lines,
    staged_totals.line_price_total as staged_line_price_total,
    fact_totals.line_price_total as fact_line_price_total
from staged_totals
full outer join fact_totals on staged_totals.platform_readable_id = fact_totals.platform_readable_id
where staged_totals.lines is null
    or fact_totals.lines is null
    or staged_totals.lines <> fact_totals.lines
    or staged_totals.line_price_total <> fact_totals.line_price_total
