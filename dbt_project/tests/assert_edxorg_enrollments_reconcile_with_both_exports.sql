-- The merged edX.org enrollments hold every distinct (learner, run) of the archives and of
-- IRx's edX.org person-course rows, no more: count(merged) = |archives ∪ IRx|.
with exported as (
    select user_id, courserun_readable_id
    from {{ ref('stg__edxorg__s3__tables__student_courseenrollment') }}
    union
    select user_id, courserun_readable_id
    from {{ ref('stg__edxorg__bigquery__mitx_person_course') }}
    where courserun_platform = 'edxorg'
),

counts as (
    select
        (select count(*) from exported) as exported_enrollments,
        (select count(*) from {{ ref('int__edxorg__mitx_courserun_enrollments') }}) as merged_enrollments
)

select * from counts where exported_enrollments <> merged_enrollments
