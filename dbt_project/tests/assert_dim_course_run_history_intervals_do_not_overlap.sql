-- The versions of a course run tile time: no two versions overlap, each closed version ends
-- where another begins, and exactly the open version (end_date null) is current.
with versions as (
    select * from {{ ref('dim_course_run') }}
),

overlapping as (
    select a.courserun_pk, 'overlap' as problem
    from versions as a
    inner join versions as b
        on a.courserun_pk = b.courserun_pk
        and a.courserun_version_pk <> b.courserun_version_pk
        and a.effective_date < coalesce(b.end_date, b.effective_date + interval '36500' day)
        and b.effective_date < coalesce(a.end_date, a.effective_date + interval '36500' day)
),

gaps as (
    select a.courserun_pk, 'gap' as problem
    from versions as a
    left join versions as b
        on a.courserun_pk = b.courserun_pk
        and a.end_date = b.effective_date
    where a.end_date is not null and b.courserun_pk is null
),

current_flags as (
    select courserun_pk, 'is_current disagrees with end_date' as problem
    from versions
    where is_current <> (end_date is null) or end_date <= effective_date
)

select * from overlapping
union all
select * from gaps
union all
select * from current_flags
