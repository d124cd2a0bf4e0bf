"""The MIT Learn webhook signature and body bytes, against vectors computed independently."""

from __future__ import annotations

import hashlib
import hmac

from ol_platform.webhooks.payloads import compact_json, webhook_request
from ol_platform.webhooks.signature import SIGNATURE_HEADER, sign, verify


def test_signature_matches_the_rfc_4231_hmac_sha256_vector():
    # RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign(b"what do ya want for nothing?", "Jefe") == expected


def test_signature_is_lowercase_hex_hmac_sha256_of_the_exact_body():
    body = b'{"course_id":"course-v1:MITxT+18.01x+1T2026","source":"mitxonline"}'
    independent = hmac.HMAC(b"shared-secret", body, digestmod=hashlib.sha256).hexdigest()
    signature = sign(body, "shared-secret")
    assert signature == independent
    assert signature == signature.lower() and len(signature) == 64
    # One more byte (a space after a colon) is another signature: the bytes sent must be signed.
    assert sign(body.replace(b":", b": ", 1), "shared-secret") != signature


def test_verify_refuses_a_missing_wrong_or_uppercase_signature():
    body = b'{"a":1}'
    good = sign(body, "s3cret-value")
    assert SIGNATURE_HEADER == "X-MITLearn-Signature"
    assert verify(body, "s3cret-value", good)
    assert not verify(body, "s3cret-value", None)
    assert not verify(body, "other-secret", good)
    assert not verify(body, "s3cret-value", good.upper())
    assert not verify(b'{"a":2}', "s3cret-value", good)


def test_openedx_body_is_compact_json_in_contract_order():
    path = "xpro/openedx/raw_data/course_xml/course-v1:xPRO+DSx+R1/ab12.xml.tar.gz"
    request = webhook_request(
        {
            "source": "xpro",
            "course_id": "course-v1:xPRO+DSx+R1",
            "course_readable_id": "course-v1:xPRO+DSx",
            "content_path": path,
            "sha256": "ab12",
        }
    )
    assert request is not None
    assert request.body == (
        b'{"course_id":"course-v1:xPRO+DSx+R1","course_readable_id":"course-v1:xPRO+DSx",'
        b'"content_path":"xpro/openedx/raw_data/course_xml/course-v1:xPRO+DSx+R1/ab12.xml.tar.gz",'
        b'"source":"xpro"}'
    )
    assert compact_json({"a": [1, 2], "b": None}) == b'{"a":[1,2],"b":null}'
