-- The platforms of MIT Open Learning, from the list in macros/cross_db_dims.sql (ol_platforms).
select
    {{ generate_surrogate_key(['platform_readable_id']) }} as platform_pk,
    platform_readable_id,
    platform_name,
    platform_url
from (
    values
    {%- for readable_id, name, url in ol_platforms() %}
        ('{{ readable_id }}', '{{ name }}', '{{ url }}'){{ "," if not loop.last }}
    {%- endfor %}
) as platforms (platform_readable_id, platform_name, platform_url)
