-- Every MITx Online program product names its program and carries the program's CMS page
-- length and effort as duration and time commitment: a row here is a program product whose
-- name or catalogue fields are not its program's.
select products.product_readable_id, products.product_name, products.duration,
    products.time_commitment
from {{ ref('marts__combined__products') }} as products
left join {{ ref('int__mitxonline__programs') }} as programs
    on products.product_readable_id = programs.program_readable_id
where products.platform = {{ platform_name('mitxonline') }}
    and products.product_type = 'program'
    and (
        programs.program_id is null
        or products.product_name is distinct from programs.program_title
        or products.duration is distinct from programs.program_length
        or products.time_commitment is distinct from programs.program_effort
    )
