-- json_text_at returns a JSON scalar as text, and null for a missing key.
with extracted as (
    select
        {{ json_text_at("'{\"code\":250,\"message\":\"OK\"}'", '$.code') }} as code_value,
        {{ json_text_at("'{\"code\":250,\"message\":\"OK\"}'", '$.message') }} as message_value,
        {{ json_text_at("'{\"code\":250}'", '$.missing') }} as missing_value
)

select *
from extracted
where code_value is null or code_value <> '250'
    or message_value is null or message_value <> 'OK'
    or missing_value is not null
