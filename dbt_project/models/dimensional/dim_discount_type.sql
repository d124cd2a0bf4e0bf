-- How a discount reduces a price: by a percentage, by a fixed amount, or to a fixed price.
select
    {{ generate_surrogate_key(['discount_type_code']) }} as discount_type_pk,
    discount_type_code,
    discount_type_name
from (
    values
        ('percentage', 'Percentage off'),
        ('fixed_amount', 'Fixed amount off'),
        ('fixed_price', 'Fixed price')
) as discount_types (discount_type_code, discount_type_name)
