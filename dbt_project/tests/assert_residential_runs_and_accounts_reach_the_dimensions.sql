-- Every residential MITx course run is one current dim_course_run row of platform
-- 'residential', and every residential Open edX account is one int__combined__user_accounts
-- row whose person has a dim_user row carrying that account's id.
with runs as (
    select
        (select count(*) from {{ ref('stg__mitxresidential__openedx__courserun') }}) as expected,
        (
            select count(distinct courserun_pk) from {{ ref('dim_course_run') }}
            where platform_readable_id = 'residential' and is_current
        ) as actual
),

accounts as (
    select
        (select count(*) from {{ ref('stg__mitxresidential__openedx__auth_user') }}) as expected,
        (
            select count(*)
            from {{ ref('int__combined__user_accounts') }} as accounts
            inner join {{ ref('dim_user') }} as users on accounts.user_fk = users.user_pk
            where accounts.platform_readable_id = 'residential'
                and accounts.user_account_source = 'openedx'
                and users.residential_openedx_user_id is not null
        ) as actual
)

select 'runs' as what, expected, actual from runs where expected <> actual
union all
select 'accounts' as what, expected, actual from accounts where expected <> actual
