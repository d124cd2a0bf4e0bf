-- Sales tax rates xPRO charges by the purchaser's country, one row per country.
select
    {{ generate_surrogate_key(['taxrate_country_code']) }} as tax_rate_pk,
    taxrate_country_code as country_code,
    taxrate_tax_rate as tax_rate,
    taxrate_tax_rate_name as tax_rate_name,
    taxrate_is_active as is_active
from {{ ref('stg__xpro__app__postgres__ecommerce_taxrate') }}
