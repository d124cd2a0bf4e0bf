"""An Open edX course export (OLX) as course blocks: one row per block, in the learner's order.

The rows have the shape of the existing lake's ``raw__<deployment>__openedx__api__course_blocks``
tables (the course structure, un-nested): ``block_id`` (the usage key), ``block_index``
(depth-first position, 1 for the course), ``block_parent``, ``block_type``, ``block_title``,
``block_details`` (JSON ``{"category", "children", "metadata"}``), ``block_start``,
``block_due``, the course's id, title and start, and sha256 hashes of the course (the archive's
bytes) and of each block. The export DAG lands them for every archive it lands, so a course's
structure gets new rows exactly when its published content changed.

OLX keeps a block either inline or as a pointer (``<chapter url_name="week_1"/>`` with the block
in ``chapter/week_1.xml``); both are read. Children of the container blocks (course, chapter,
sequential, vertical, and the other containers below) are blocks; anything inside another block
(a problem's markup, a video's ``<source>``) is that block's content.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa

from ol_platform.exports.landing import LandingArea
from ol_platform.exports.ledger import ExportLedger

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from ol_platform.lake.writer import CommitResult

CONTAINERS = {
    "course",
    "chapter",
    "sequential",
    "vertical",
    "split_test",
    "conditional",
    "library_content",
    "unit",
}
# Attributes whose OLX value is JSON (the course structure API returns them parsed).
JSON_ATTRIBUTES = {"html5_sources", "transcripts", "youtube_id_1_0_sources", "handouts"}
MAX_XML_BYTES = 16 << 20  # one OLX file; a course's largest are problems of a few hundred KB


class CourseArchiveError(ValueError):
    """The archive is not a readable course export; the message names the archive and file."""


def usage_key(course_id: str, category: str, url_name: str) -> str:
    """``block-v1:{org}+{course}+{run}+type@{category}+block@{url_name}`` (old-style course
    ids: ``i4x://{org}/{course}/{category}/{url_name}``)."""
    if course_id.startswith("course-v1:"):
        return f"block-v1:{course_id.removeprefix('course-v1:')}+type@{category}+block@{url_name}"
    org, number, _run = course_id.split("/", 2)
    return f"i4x://{org}/{number}/{category}/{url_name}"


class _Archive:
    def __init__(self, tar: tarfile.TarFile, label: str) -> None:
        self.tar, self.label = tar, label
        self.members = {m.name.rstrip("/"): m for m in tar.getmembers() if m.isfile()}
        roots = [
            n for n in self.members if PurePosixPath(n).name == "course.xml" and n.count("/") <= 1
        ]
        if not roots:
            raise CourseArchiveError(f"{label}: no course.xml at the top of the archive")
        self.root = str(PurePosixPath(roots[0]).parent)

    def _path(self, *parts: str) -> str:
        return (
            str(PurePosixPath(self.root, *parts))
            if self.root != "."
            else str(PurePosixPath(*parts))
        )

    def has(self, *parts: str) -> bool:
        return self._path(*parts) in self.members

    def element(self, *parts: str) -> ET.Element:
        name = self._path(*parts)
        member = self.members.get(name)
        if member is None:
            raise CourseArchiveError(f"{self.label}: {name} is missing from the archive")
        if member.size > MAX_XML_BYTES:
            raise CourseArchiveError(
                f"{self.label}: {name} is {member.size} bytes, over the {MAX_XML_BYTES} limit"
            )
        data = self.tar.extractfile(member)
        try:
            return ET.fromstring(data.read() if data else b"")
        except ET.ParseError as exc:
            raise CourseArchiveError(f"{self.label}: {name} is not valid XML ({exc})") from exc

    def resolve(self, element: ET.Element) -> ET.Element:
        """The block a pointer tag names, or the element itself when it is inline."""
        url_name = element.get("url_name")
        pointer = url_name and set(element.attrib) <= {"url_name"} and len(element) == 0
        if not pointer:
            return element
        target = self.element(element.tag, f"{url_name}.xml")  # missing: a broken export
        target.set("url_name", url_name)
        return target


def _url_name(element: ET.Element) -> str:
    if element.tag == "course":
        return "course"
    # Studio names every block; an inline one without a name gets a stable one.
    return element.get("url_name") or hashlib.sha1(ET.tostring(element)).hexdigest()[:32]


def _metadata(element: ET.Element) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key, value in element.attrib.items():
        if key == "url_name":
            continue
        if key in JSON_ATTRIBUTES:
            try:
                meta[key] = json.loads(value)
                continue
            except ValueError:
                pass
        meta[key] = value
    if element.tag == "video":  # sources and transcripts may also be child tags
        sources = [s.get("src") for s in element.findall("source") if s.get("src")]
        if sources:
            meta["html5_sources"] = list(meta.get("html5_sources") or []) + sources
        transcripts = {
            t.get("language"): t.get("src")
            for t in element.findall("transcript")
            if t.get("language") and t.get("src")
        }
        if transcripts:
            meta["transcripts"] = {**(meta.get("transcripts") or {}), **transcripts}
    return meta


def course_blocks(
    archive: IO[bytes],
    *,
    course_id: str,
    course_content_hash: str,
    retrieved_at: datetime,
    label: str | None = None,
) -> list[dict[str, Any]]:
    """The blocks of one course export (a .tar.gz file object), in learner order."""
    label = label or course_id
    try:
        with tarfile.open(fileobj=archive, mode="r:gz") as tar:
            blocks = _walk(_Archive(tar, label), course_id, label)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise CourseArchiveError(f"{label}: not a readable .tar.gz course export ({exc})") from exc
    course_meta = json.loads(blocks[0]["block_details"])["metadata"]
    for block in blocks:
        block.update(
            course_id=course_id,
            course_title=course_meta.get("display_name"),
            course_start=course_meta.get("start"),
            course_content_hash=course_content_hash,
            block_content_hash=hashlib.sha256(block["block_details"].encode()).hexdigest(),
            retrieved_at=retrieved_at,
        )
    return blocks


def _walk(olx: _Archive, course_id: str, label: str) -> list[dict[str, Any]]:
    top = olx.element("course.xml")
    # course.xml names the run's course file (``course/<run>.xml``) with org and number.
    run = top.get("url_name")
    course = olx.element("course", f"{run}.xml") if run and olx.has("course", f"{run}.xml") else top
    if course.tag != "course":
        raise CourseArchiveError(f"{label}: course.xml holds <{course.tag}>, not <course>")
    blocks: list[dict[str, Any]] = []
    seen: set[str] = set()
    # Depth-first, children in order: the sequence a learner goes through the course.
    stack: list[tuple[ET.Element, str | None]] = [(course, None)]
    while stack:
        element, parent = stack.pop()
        category = element.tag
        block_id = usage_key(course_id, category, _url_name(element))
        if block_id in seen:
            raise CourseArchiveError(f"{label}: block {block_id} appears twice")
        seen.add(block_id)
        children = (
            [olx.resolve(child) for child in element if isinstance(child.tag, str)]
            if category in CONTAINERS
            else []
        )
        metadata = _metadata(element)
        details = {
            "category": category,
            "children": [usage_key(course_id, c.tag, _url_name(c)) for c in children],
            "metadata": metadata,
        }
        blocks.append(
            {
                "block_id": block_id,
                "block_index": len(blocks) + 1,
                "block_parent": parent,
                "block_type": category,
                "block_title": metadata.get("display_name"),
                "block_details": json.dumps(details, sort_keys=True),
                "block_start": metadata.get("start"),
                "block_due": metadata.get("due"),
            }
        )
        stack.extend((child, block_id) for child in reversed(children))
    return blocks


SCHEMA = pa.schema(
    [
        ("block_id", pa.string()),
        ("block_index", pa.int64()),
        ("block_parent", pa.string()),
        ("block_type", pa.string()),
        ("block_title", pa.string()),
        ("block_details", pa.string()),
        ("block_start", pa.string()),
        ("block_due", pa.string()),
        ("course_id", pa.string()),
        ("course_title", pa.string()),
        ("course_start", pa.string()),
        ("course_content_hash", pa.string()),
        ("block_content_hash", pa.string()),
        ("retrieved_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass
class BlocksRun:
    courses: list[str] = field(default_factory=list)  # courses whose new structure landed
    rows: int = 0
    failed: list[str] = field(default_factory=list)  # one message per unreadable archive
    commit: CommitResult | None = None


@dataclass(frozen=True)
class CourseArchive:
    """A course export to land: its course, the sha256 of its bytes, how to open it."""

    course_id: str
    sha256: str
    open: Callable[[], AbstractContextManager[IO[bytes]]]
    retrieved_at: datetime
    label: str


def land_course_blocks(
    landing: LandingArea, ledger: ExportLedger, catalog: Catalog, identifier: str
) -> BlocksRun:
    """Land the blocks of every archive in the export ledger whose content is not in the
    table yet (see :func:`land_archives`).

    Reading what is pending from the ledger and the table, not from this run's exports, makes
    a retry, or the run after a failed one, land exactly what is missing."""
    archives = [
        CourseArchive(
            course_id=course_id,
            sha256=PurePosixPath(entry["archive"]).name.split(".", 1)[0],
            open=partial(landing.open, entry["archive"]),
            retrieved_at=datetime.fromisoformat(entry["exported_at"]),
            label=landing.uri(entry["archive"]),
        )
        for course_id, entry in sorted(ledger.courses.items())
        if entry.get("archive")
    ]
    return land_archives(catalog, identifier, archives)


def latest_archives(catalog: Catalog, identifier: str) -> dict[str, str] | None:
    """The archive sha256 of each course's latest retrieval in the table (its current
    structure); None when there is no table yet."""
    from pyiceberg.exceptions import NoSuchTableError

    try:
        held = (
            catalog.load_table(identifier)
            .scan(selected_fields=("course_id", "course_content_hash", "retrieved_at"))
            .to_arrow()
            .sort_by("retrieved_at")
        )
    except NoSuchTableError:
        return None
    # In retrieval order, each course's latest retrieval is the last one the dict keeps.
    courses, hashes = held["course_id"].to_pylist(), held["course_content_hash"].to_pylist()
    return dict(zip(courses, hashes, strict=True))


def landed_retrievals(catalog: Catalog, identifier: str) -> set[tuple[str, datetime]]:
    """(course id, retrieved_at) of every course export whose blocks the table holds: for a
    file in a bucket, its modification time, which any rewrite of the file changes."""
    from pyiceberg.exceptions import NoSuchTableError

    try:
        held = (
            catalog.load_table(identifier)
            .scan(selected_fields=("course_id", "retrieved_at"))
            .to_arrow()
        )
    except NoSuchTableError:
        return set()
    return set(zip(held["course_id"].to_pylist(), held["retrieved_at"].to_pylist(), strict=True))


def land_archives(
    catalog: Catalog, identifier: str, archives: Iterable[CourseArchive]
) -> BlocksRun:
    """Land the blocks of every archive whose content (sha256) differs from its course's
    latest retrieval in the table, in one append: the table is created empty when nothing has
    landed, an unchanged course is not written again, and with nothing new nothing is
    committed. A course whose content goes back to an earlier version lands it again, as its
    latest retrieval. An archive that cannot be read is reported in ``failed``; the others'
    blocks still land."""
    from ol_platform.lake.writer import WriteDisposition, commit

    landed = latest_archives(catalog, identifier)
    run, rows = BlocksRun(), []
    for archive in archives:
        if landed is not None and landed.get(archive.course_id) == archive.sha256:
            continue
        try:
            with archive.open() as data:
                blocks = course_blocks(
                    data,
                    course_id=archive.course_id,
                    course_content_hash=archive.sha256,
                    retrieved_at=archive.retrieved_at,
                    label=archive.label,
                )
        except (CourseArchiveError, FileNotFoundError) as exc:
            run.failed.append(str(exc))
            continue
        rows += blocks
        run.courses.append(archive.course_id)
    run.rows = len(rows)
    if rows or landed is None:
        run.commit = commit(
            catalog,
            identifier,
            pa.Table.from_pylist(rows, schema=SCHEMA),
            disposition=WriteDisposition.APPEND,
        )
    return run
