-- How payments are made; payment_method_code is what the intermediate payment models call the
-- processor's method ('card' is 'credit_card').
select
    {{ generate_surrogate_key(['payment_method_code']) }} as payment_method_pk,
    payment_method_code,
    payment_method_name,
    payment_method_type,
    payment_method_provider
from (
    values
        ('credit_card', 'Credit Card', 'card', 'cybersource'),
        ('paypal', 'PayPal', 'wallet', 'paypal'),
        ('wire_transfer', 'Wire Transfer', 'bank_transfer', null),
        ('voucher', 'Voucher/Bulk Payment', 'voucher', null)
) as methods (payment_method_code, payment_method_name, payment_method_type, payment_method_provider)
