-- xPRO order lines, one row per line: the product version bought and its price, and the
-- program run of a program purchase.
with lines as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_line') }}
),

versions as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_productversion') }}
),

program_run_lines as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_programrunline') }}
)

select
    lines.line_id,
    lines.order_id,
    lines.productversion_id,
    versions.product_id,
    versions.productversion_readable_id as product_readable_id,
    versions.productversion_price as product_price,
    versions.productversion_description as product_description,
    program_run_lines.programrun_id,
    lines.line_created_on,
    lines.line_updated_on
from lines
inner join versions on lines.productversion_id = versions.productversion_id
left join program_run_lines on lines.line_id = program_run_lines.line_id
