-- Linking is transitive: both accounts of every link belong to the same person. A failure
-- means the label propagation in int__combined__user_accounts needs more passes.
select links.user_account_link_pk, from_account.user_fk as from_person, to_account.user_fk as to_person
from {{ ref('int__combined__user_account_links') }} as links
inner join {{ ref('int__combined__user_accounts') }} as from_account
    on links.from_platform = from_account.platform_readable_id
    and links.from_user_account_source = from_account.user_account_source
    and links.from_user_id = from_account.user_id
inner join {{ ref('int__combined__user_accounts') }} as to_account
    on links.to_platform = to_account.platform_readable_id
    and links.to_user_account_source = to_account.user_account_source
    and links.to_user_id = to_account.user_id
where from_account.user_fk <> to_account.user_fk
