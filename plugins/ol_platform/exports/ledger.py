"""What each export source last exported, kept as one JSON object in the landing bucket.

``<prefix>/_export_state.json`` (e.g. ``mitxonline/openedx/raw_data/course_xml/_export_state.json``)
lives next to the archives it describes, so reruns, retries and fresh workers agree without
any local file, and the archives and their ledger fail or survive together. Course ids never
start with ``_``, so the object cannot collide with a course folder.

* ``courses``: per course, the version it was last exported at (Open edX: the content
  versions Studio reports; Canvas: the archive's sha256) and the archive that landed.
* ``unannounced``: archives landed but not yet listed in a successful task's Asset event. A
  run that fails part-way keeps them, and the next successful try lists them, so every
  landed archive reaches MIT Learn even when a sibling course failed.

The ledger is saved after every landed archive: a killed task re-exports only what it had
not landed yet. One writer per source is guaranteed by the DAG's ``max_active_runs=1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ol_platform.exports.landing import LandingArea

STATE_OBJECT = "_export_state.json"
FORMAT = 1


@dataclass
class ExportLedger:
    landing: LandingArea
    key: str
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    unannounced: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, landing: LandingArea, prefix: str) -> ExportLedger:
        key = f"{prefix.rstrip('/')}/{STATE_OBJECT}"
        raw = landing.read_json(key) or {}
        if raw and raw.get("format") != FORMAT:
            raise ValueError(
                f"{landing.uri(key)}: export ledger format {raw.get('format')!r} is not "
                f"{FORMAT}; move the object aside to re-export every course"
            )
        return cls(landing, key, raw.get("courses", {}), raw.get("unannounced", []))

    def version(self, course_id: str) -> Any:
        return self.courses.get(str(course_id), {}).get("version")

    def archive(self, course_id: str) -> str | None:
        return self.courses.get(str(course_id), {}).get("archive")

    def record(self, course_id: str, version: Any, archive: dict[str, Any] | None) -> None:
        """Remember ``version`` as exported; ``archive`` (newly landed) awaits announcement."""
        entry = {"version": version, "exported_at": datetime.now(UTC).isoformat()}
        if archive is not None:
            entry["archive"] = archive["content_path"]
            if all(a["content_path"] != archive["content_path"] for a in self.unannounced):
                self.unannounced.append(archive)
        else:  # same bytes as already landed: keep pointing at that archive
            entry["archive"] = self.courses.get(str(course_id), {}).get("archive")
        self.courses[str(course_id)] = entry
        self.save()

    def announced(self) -> list[dict[str, Any]]:
        """Hand over the unannounced archives for this task's Asset event and forget them."""
        archives, self.unannounced = self.unannounced, []
        self.save()
        return archives

    def save(self) -> None:
        self.landing.write_json(
            self.key, {"format": FORMAT, "courses": self.courses, "unannounced": self.unannounced}
        )
