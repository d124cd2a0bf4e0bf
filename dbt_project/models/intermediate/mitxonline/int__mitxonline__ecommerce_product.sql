-- MITx Online products, one row per product: what it sells (a course run or a program, from
-- its Django content type) and its current price. Program products name their program by
-- readable id in their description, which is what program_fk is computed from.
with products as (
    select * from {{ ref('stg__mitxonline__app__postgres__ecommerce_product') }}
),

content_types as (
    select * from {{ ref('stg__mitxonline__app__postgres__django_content_type') }}
),

runs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }}
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
    case when content_types.contenttype_model = 'program' then products.product_object_id end
        as program_id,
    case when content_types.contenttype_model = 'program' then products.product_description end
        as program_readable_id,
    coalesce(runs.courserun_readable_id,
        case when content_types.contenttype_model = 'program' then products.product_description end
    ) as product_readable_id,
    products.product_price,
    products.product_description,
    products.product_is_active,
    products.product_created_on,
    products.product_updated_on
from products
inner join content_types on products.contenttype_id = content_types.contenttype_id
left join runs
    on content_types.contenttype_model = 'courserun'
    and products.product_object_id = runs.courserun_id
