-- xPRO products, one row per product: what it sells (a course run or a program, from its
-- Django content type) with its current version's readable id, price and description.
with products as (
    select * from {{ ref('stg__xpro__app__postgres__ecommerce_product') }}
),

content_types as (
    select * from {{ ref('stg__xpro__app__postgres__django_content_type') }}
),

current_versions as (
    select * from (
        select
            *,
            row_number() over (
                partition by product_id order by productversion_created_on desc, productversion_id desc
            ) as _version_rank
        from {{ ref('stg__xpro__app__postgres__ecommerce_productversion') }}
    ) as ranked
    where _version_rank = 1
),

runs as (
    select * from {{ ref('stg__xpro__app__postgres__courses_courserun') }}
)

select
    products.product_id,
    case content_types.contenttype_model
        when 'courserun' then 'course run'
        else content_types.contenttype_model
    end as product_type,
    products.product_object_id,
    case when content_types.contenttype_model = 'courserun' then products.product_object_id end
        as courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    case when content_types.contenttype_model = 'program' then products.product_object_id end
        as program_id,
    case when content_types.contenttype_model = 'program'
        then current_versions.productversion_readable_id end as program_readable_id,
    current_versions.productversion_readable_id as product_readable_id,
    current_versions.productversion_price as product_list_price,
    current_versions.productversion_description as product_description,
    products.product_is_active,
    products.product_is_private,
    products.product_created_on,
    products.product_updated_on
from products
inner join content_types on products.contenttype_id = content_types.contenttype_id
left join current_versions on products.product_id = current_versions.product_id
left join runs
    on content_types.contenttype_model = 'courserun'
    and products.product_object_id = runs.courserun_id
