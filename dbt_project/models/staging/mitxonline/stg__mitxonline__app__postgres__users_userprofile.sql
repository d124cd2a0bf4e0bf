with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__users_userprofile') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_profile_id,
    user_id,
    year_of_birth as user_birth_year,
    nullif(company, '') as user_company,
    nullif(industry, '') as user_industry,
    nullif(job_title, '') as user_job_title,
    nullif(job_function, '') as user_job_function,
    nullif(leadership_level, '') as user_leadership_level,
    nullif(highest_education, '') as user_highest_education,
    type_is_student as user_type_is_student,
    type_is_professional as user_type_is_professional,
    type_is_educator as user_type_is_educator,
    type_is_other as user_type_is_other,
    {{ gender_label('gender') }} as user_gender,
    {{ company_size_label('company_size') }} as user_company_size,
    {{ years_experience_label('years_experience') }} as user_years_experience,
    created_on as user_profile_created_on,
    updated_on as user_profile_updated_on
from deduplicated
