"""Which warehouse columns hold personal data, and whether dbt tags them for OpenMetadata.

OpenMetadata's dbt ingestion reads a column's ``meta.openmetadata.tags`` from the manifest
and applies each ``<Classification>.<Tag>`` to the column, so a column documented with::

    - name: user_email
      meta: {openmetadata: {tags: [PII.Sensitive]}}

lands in the catalog as ``PII.Sensitive``. The rules below decide which columns must carry
such a tag: direct identifiers (emails, names, usernames, IP and postal addresses, phone
numbers, dates of birth) are ``PII.Sensitive``; identifiers of people that reveal nothing by
themselves (user ids) are ``PII.NonSensitive``. A column is judged by its name, split on
``_`` so ``emailevent_id`` is not an email, and by its type (``inet``).

``untagged_personal_columns`` compares dbt's ``catalog.json`` (the columns the models really
produce) with the manifest (the tags they declare); the dbt project test fails on any staging
column it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ol_platform.catalog.columns import model_columns

SENSITIVE = "PII.Sensitive"
NON_SENSITIVE = "PII.NonSensitive"
PII_TAGS = (SENSITIVE, NON_SENSITIVE)

# Single name parts that identify a person directly.
_SENSITIVE_TOKENS = frozenset(
    {
        "email",
        "username",
        "ip",
        "ipaddress",
        "phone",
        "dob",
        "birthdate",
        "birthday",
        "street",
        "address",
        "postal",
        "postcode",
        "zipcode",
    }
)
# Pairs of consecutive name parts that do (``full_name``, ``year_of_birth`` -> ``of_birth``).
_SENSITIVE_PAIRS = frozenset(
    {
        ("first", "name"),
        ("last", "name"),
        ("full", "name"),
        ("given", "name"),
        ("family", "name"),
        ("middle", "name"),
        ("legal", "name"),
        ("display", "name"),
        ("user", "name"),
        ("of", "birth"),
        ("date", "birth"),
        ("zip", "code"),
        ("postal", "code"),
        ("mailing", "address"),
    }
)
# A person's id in an application (``user_id``, ``openedx_user_id``, ``learner_id``).
_PERSON_ID_PAIRS = frozenset({("user", "id"), ("learner", "id"), ("student", "id")})
_SENSITIVE_TYPES = ("inet",)


@dataclass(frozen=True)
class PersonalColumn:
    model: str
    column: str
    data_type: str
    expected: str  # the tag the rules expect: PII.Sensitive or PII.NonSensitive

    def __str__(self) -> str:
        return f"{self.model}.{self.column} ({self.data_type}): expected {self.expected}"


def classify(column: str, data_type: str = "") -> str | None:
    """The PII tag a column needs by its name and type, or None when it holds no personal data."""
    tokens = column.lower().split("_")
    pairs = set(zip(tokens, tokens[1:], strict=False))
    if (
        _SENSITIVE_TOKENS.intersection(tokens)
        or pairs & _SENSITIVE_PAIRS
        or data_type.lower().startswith(_SENSITIVE_TYPES)
    ):
        return SENSITIVE
    if pairs & _PERSON_ID_PAIRS:
        return NON_SENSITIVE
    return None


def declared_tags(column: dict[str, Any]) -> set[str]:
    """The OpenMetadata tags a manifest column declares (``meta`` or ``config.meta``)."""
    tags: set[str] = set()
    for meta in (column.get("meta") or {}, (column.get("config") or {}).get("meta") or {}):
        tags.update((meta.get("openmetadata") or {}).get("tags") or [])
    return tags


def untagged_personal_columns(
    manifest: dict[str, Any], catalog: dict[str, Any], layers: Iterable[str] = ("staging",)
) -> list[PersonalColumn]:
    """Columns of the models in ``layers`` that hold personal data without a PII tag.

    A column tagged with the other PII level than the rules expect counts as tagged: the
    person who tagged it decided, and either tag keeps it out of an unmasked export.
    """
    missing: list[PersonalColumn] = []
    for node, name, col, documented in model_columns(manifest, catalog, layers):
        expected = classify(name, str(col.get("type") or ""))
        if expected is None:
            continue
        if not declared_tags(documented) & set(PII_TAGS):
            missing.append(PersonalColumn(node["name"], name, str(col.get("type")), expected))
    return sorted(missing, key=lambda c: (c.model, c.column))
