"""Webhook bodies built from the export Asset events' archive items.

An archive item is one entry of an export event's ``extra["archives"]`` (see
``ol_platform.exports``). Open edX bodies carry ``course_id``, ``course_readable_id``,
``content_path`` and ``source``; Canvas bodies ``course_id`` (int), ``course_name``,
``course_code``, ``content_path``, ``metadata_path``, ``source`` and, only when it is not null,
``course_readable_id``. Residential MITx (``mitx``) is exported but never sent.

The body is compact JSON (no spaces after ``,`` and ``:``) with a fixed key order, so the same
archive always yields the same bytes, and the signature is computed over exactly those bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OPENEDX_SOURCES = ("mitxonline", "xpro")
CANVAS_SOURCE = "canvas"
# Exported for the lake but not announced to MIT Learn.
UNSENT_SOURCES = ("mitx",)


class ArchiveItemError(ValueError):
    """An archive item misses a field or has the wrong type: the export's event is malformed."""


@dataclass(frozen=True)
class WebhookRequest:
    content_path: str
    source: str
    course_id: str
    sha256: str | None
    payload: dict[str, Any]
    body: bytes


def compact_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _field(item: dict[str, Any], name: str, kind: type | tuple[type, ...] = str) -> Any:
    if name not in item or item[name] is None:
        raise ArchiveItemError(
            f"archive item {item.get('content_path', item)!r}: field '{name}' is missing; "
            "the export task must list it in its Asset event"
        )
    value = item[name]
    # bool is an int subclass; a Canvas course id of True is a producer bug, not id 1.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ArchiveItemError(
            f"archive item {item.get('content_path', item)!r}: field '{name}' is "
            f"{type(value).__name__} {value!r}, expected {getattr(kind, '__name__', kind)}"
        )
    return value


def openedx_payload(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "course_id": _field(item, "course_id"),
        "course_readable_id": _field(item, "course_readable_id"),
        "content_path": _field(item, "content_path"),
        "source": _field(item, "source"),
    }


def canvas_payload(item: dict[str, Any]) -> dict[str, Any]:
    payload = {
        "course_id": _field(item, "course_id", int),
        "course_name": _field(item, "course_name"),
        "course_code": _field(item, "course_code"),
        "content_path": _field(item, "content_path"),
        "metadata_path": _field(item, "metadata_path"),
        "source": CANVAS_SOURCE,
    }
    if item.get("course_readable_id") is not None:
        payload["course_readable_id"] = _field(item, "course_readable_id")
    return payload


def webhook_request(item: dict[str, Any]) -> WebhookRequest | None:
    """The request announcing ``item``, or None for a source MIT Learn is not told about."""
    source = _field(item, "source")
    if source in UNSENT_SOURCES:
        return None
    if source in OPENEDX_SOURCES:
        payload = openedx_payload(item)
    elif source == CANVAS_SOURCE:
        payload = canvas_payload(item)
    else:
        raise ArchiveItemError(
            f"archive item {item.get('content_path')!r}: source {source!r} is not one of "
            f"{', '.join((*OPENEDX_SOURCES, CANVAS_SOURCE, *UNSENT_SOURCES))}"
        )
    return WebhookRequest(
        content_path=payload["content_path"],
        source=source,
        course_id=str(payload["course_id"]),
        sha256=item.get("sha256"),
        payload=payload,
        body=compact_json(payload),
    )
