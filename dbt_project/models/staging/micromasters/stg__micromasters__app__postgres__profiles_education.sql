with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__profiles_education') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_education_id,
    profile_id as user_profile_id,
    {{ education_label('degree_name') }} as user_education_degree,
    graduation_date as user_graduation_date,
    field_of_study as user_field_of_study,
    online_degree as user_education_is_online_degree,
    school_name as user_school_name,
    school_city as user_school_city,
    school_state_or_territory as user_school_state,
    school_country as user_school_country
from deduplicated
