{#-
  Staging for the per-deployment Open edX tables (one raw table per deployment, same shape,
  from S3 exports or the deployment's MySQL):
  each deployment's model calls the macro with its raw table.
-#}

{#-
  Tracking logs: one row per event (the md5 of its log line). Incremental: a run reads the raw
  rows landed since its last run (new_rows) and merges them on the event hash; a re-landed
  event keeps its newest landing.
  The hash is of the line, time included, so the merge looks for a new event's hash only among
  the events of the new events' time range (merge_range_column).
-#}
{% macro tracking_log_staging_config() -%}
  {{ return({
    "materialized": "incremental",
    "incremental_strategy": "merge",
    "unique_key": "useractivity_event_hash",
    "merge_range_column": "useractivity_timestamp",
    "on_schema_change": "append_new_columns",
  }) }}
{%- endmacro %}

{% macro stg_openedx_tracking_logs(raw_table) -%}
with source as (
    select * from {{ new_rows(source('ol_warehouse_raw_data', raw_table)) }} as landed
    where event_type is not null
        and trim(event_type) <> ''
        and event_hash is not null
),

deduplicated as ({{ deduplicate_raw_table('source', 'event_hash') }})

select
    event_hash as useractivity_event_hash,
    nullif(username, '') as user_username,
    user_id as openedx_user_id,
    course_id as courserun_readable_id,
    org_id,
    path as useractivity_path,
    context as useractivity_context_object,
    event_source as useractivity_event_source,
    event_type as useractivity_event_type,
    name as useractivity_event_name,
    event as useractivity_event_object,
    page as useractivity_page_url,
    nullif(session, '') as useractivity_session_id,
    ip as useractivity_ip,
    host as useractivity_http_host,
    agent as useractivity_http_user_agent,
    accept_language as useractivity_http_accept_language,
    referer as useractivity_http_referer,
    "time" as useractivity_timestamp,
    log_file as useractivity_log_file,
    _airbyte_extracted_at
from deduplicated
{%- endmacro %}

{% macro stg_openedx_forum_contents(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
),

deduplicated as ({{ deduplicate_raw_table('source', '_id') }})

select
    _id as forumcontent_id,
    _type as forumcontent_type,
    _type = 'CommentThread' as forumcontent_is_thread,
    {{ dbt.safe_cast('author_id', 'bigint') }} as user_id,
    course_id as courserun_readable_id,
    title as forumcontent_title,
    body as forumcontent_body,
    {{ dbt.safe_cast(json_text_at('votes', '$.up_count'), 'bigint') }} as forumcontent_upvote_count,
    created_at as forumcontent_created_on,
    updated_at as forumcontent_updated_on
from deduplicated
{%- endmacro %}

{% macro stg_openedx_auth_user(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_id,
    username as user_username,
    email as user_email,
    is_active as user_is_active,
    date_joined as user_joined_on,
    last_login as user_last_login
from deduplicated
{%- endmacro %}

{% macro stg_openedx_student_courseenrollment(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserunenrollment_id,
    user_id,
    course_id as courserun_readable_id,
    is_active as courserunenrollment_is_active,
    mode as courserunenrollment_enrollment_mode,
    created as courserunenrollment_created_on
from deduplicated
{%- endmacro %}

{#-
  Course structure: one row per block of each landed export of a course run, as the export
  DAG un-nests it (raw course blocks). A run's blocks land again, all of them, whenever its
  published content changes: the latest retrieval is the current structure.
-#}
{% macro stg_openedx_course_structure(raw_table) -%}
with source as (
    select * from {{ source('ol_warehouse_raw_data', raw_table) }}
)

select
    course_id as courserun_readable_id,
    course_title as courserun_title,
    block_index as coursestructure_block_index,
    block_id as coursestructure_block_id,
    block_parent as coursestructure_parent_block_id,
    block_type as coursestructure_block_category,
    block_title as coursestructure_block_title,
    course_content_hash as coursestructure_content_hash,
    block_content_hash as coursestructure_block_content_hash,
    {{ json_text_of('block_details', '$.metadata') }} as coursestructure_block_metadata,
    course_start as courserun_start_on,
    retrieved_at as coursestructure_retrieved_at
from source
{%- endmacro %}
