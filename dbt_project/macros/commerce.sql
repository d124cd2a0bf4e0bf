{#-
  The fields of a payment processor response kept as JSON text by the ecommerce applications
  (MITx Online transactions; xPRO, MicroMasters and Bootcamps receipts), as `<prefix>_<field>`
  columns. Card types arrive as the processor's codes and are named here.
-#}
{% macro payment_response_columns(column, prefix) -%}
  {%- set fields = [
    ("authorization_code", "auth_code"),
    ("transaction_status", "decision"),
    ("transaction_id", "transaction_id"),
    ("reference_number", "req_reference_number"),
    ("transaction_uuid", "req_transaction_uuid"),
    ("transaction_type", "req_transaction_type"),
    ("payment_currency", "req_currency"),
    ("payment_method", "req_payment_method"),
    ("payment_card_number", "req_card_number"),
    ("payer_email", "req_bill_to_email"),
    ("payer_ip_address", "req_customer_ip_address"),
    ("bill_to_address_state", "req_bill_to_address_state"),
    ("bill_to_address_country", "req_bill_to_address_country"),
  ] -%}
  {%- for name, key in fields %}
    {{ json_text_at(column, '$.' ~ key) }} as {{ prefix }}_{{ name }},
  {%- endfor %}
    cast({{ json_text_at(column, '$.req_amount') }} as decimal(38, 2)) as {{ prefix }}_payment_amount,
    case {{ json_text_at(column, '$.req_card_type') }}
        when '001' then 'Visa'
        when '002' then 'Mastercard'
        when '003' then 'American Express'
        when '004' then 'Discover'
        else {{ json_text_at(column, '$.req_card_type') }}
    end as {{ prefix }}_payment_card_type,
    trim(concat(
        coalesce({{ json_text_at(column, '$.req_bill_to_forename') }}, ''), ' ',
        coalesce({{ json_text_at(column, '$.req_bill_to_surname') }}, '')
    )) as {{ prefix }}_payer_name,
    {{ utc_timestamp_from_text(
        "replace(replace(" ~ json_text_at(column, '$.signed_date_time') ~ ", 'T', ' '), 'Z', '')"
    ) }} as {{ prefix }}_payment_timestamp
{%- endmacro %}
