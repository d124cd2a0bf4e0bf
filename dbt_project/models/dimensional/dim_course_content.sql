-- The content of the course runs: every block of every retrieved course structure, one row
-- per block and retrieval (content_block_pk), with the chapter (section) and sequential
-- (subsection) it sits in. is_latest marks the rows of each run's current structure.
{% set structures = [
    ("mitxonline", "stg__mitxonline__openedx__api__course_structure"),
    ("xpro", "stg__mitxpro__openedx__api__course_structure"),
    ("residential", "stg__mitxresidential__openedx__api__course_structure"),
    ("edxorg", "stg__edxorg__s3__course_structure"),
] %}

with structure as (
    {% for platform, model in structures %}
    select '{{ platform }}' as platform, * from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

latest as (
    select platform, courserun_readable_id, max(coursestructure_retrieved_at) as retrieved_at
    from structure
    group by platform, courserun_readable_id
),

-- Blocks are in depth-first order, so a block's chapter is the last chapter at or before it,
-- and its sequential the last sequential at or before it within that chapter.
placed as (
    select
        structure.*,
        max(case when coursestructure_block_category = 'chapter' then coursestructure_block_index end)
            over (
                partition by platform, courserun_readable_id, coursestructure_retrieved_at
                order by coursestructure_block_index
                rows between unbounded preceding and current row
            ) as chapter_index,
        max(case when coursestructure_block_category = 'sequential' then coursestructure_block_index end)
            over (
                partition by platform, courserun_readable_id, coursestructure_retrieved_at
                order by coursestructure_block_index
                rows between unbounded preceding and current row
            ) as sequential_index
    from structure
)

select
    {{ generate_surrogate_key(['placed.platform', 'placed.coursestructure_block_id', 'placed.coursestructure_retrieved_at']) }}
        as content_block_pk,
    placed.platform,
    placed.courserun_readable_id,
    placed.coursestructure_block_index as block_index,
    placed.coursestructure_block_id as block_id,
    placed.coursestructure_parent_block_id as parent_block_id,
    sequentials.coursestructure_block_id as sequential_block_id,
    sequentials.coursestructure_block_title as sequential_title,
    chapters.coursestructure_block_id as chapter_block_id,
    chapters.coursestructure_block_title as chapter_title,
    placed.coursestructure_block_category as block_category,
    placed.coursestructure_block_title as block_title,
    placed.coursestructure_block_metadata as block_metadata,
    placed.coursestructure_content_hash as content_hash,
    placed.coursestructure_retrieved_at as retrieved_at,
    latest.retrieved_at is not null as is_latest
from placed
left join placed as chapters
    on placed.platform = chapters.platform
    and placed.courserun_readable_id = chapters.courserun_readable_id
    and placed.coursestructure_retrieved_at = chapters.coursestructure_retrieved_at
    and placed.chapter_index = chapters.coursestructure_block_index
left join placed as sequentials
    on placed.platform = sequentials.platform
    and placed.courserun_readable_id = sequentials.courserun_readable_id
    and placed.coursestructure_retrieved_at = sequentials.coursestructure_retrieved_at
    and placed.sequential_index = sequentials.coursestructure_block_index
    and placed.sequential_index > placed.chapter_index
left join latest
    on placed.platform = latest.platform
    and placed.courserun_readable_id = latest.courserun_readable_id
    and placed.coursestructure_retrieved_at = latest.retrieved_at
