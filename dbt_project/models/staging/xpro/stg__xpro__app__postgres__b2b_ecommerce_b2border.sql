with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__b2b_ecommerce_b2border') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as b2border_id,
    status as b2border_status,
    num_seats as b2border_num_seats,
    email as b2border_email,
    cast(per_item_price as decimal(38, 2)) as b2border_per_item_price,
    cast(total_price as decimal(38, 2)) as b2border_total_price,
    unique_id as b2border_unique_uuid,
    coupon_id as b2bcoupon_id,
    cast(discount as decimal(38, 2)) as b2border_discount,
    product_version_id as productversion_id,
    coupon_payment_version_id as couponpaymentversion_id,
    contract_number as b2border_contract_number,
    program_run_id as programrun_id,
    created_on as b2border_created_on,
    updated_on as b2border_updated_on
from deduplicated
