-- MicroMasters course certificates, one row per (learner, course).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__grades_micromasterscoursecertificate') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursecertificate_id,
    user_id,
    course_id,
    hash as coursecertificate_hash,
    {{ dbt.concat(["'https://micromasters.mit.edu/certificate/course/'", 'hash']) }} as coursecertificate_url,
    created_on as coursecertificate_created_on,
    updated_on as coursecertificate_updated_on
from deduplicated
