"""Tracking log files for chosen days: a known number of events per day, per deployment."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DEPLOYMENTS = ("mitxonline", "xpro", "mitx", "edxorg")  # the log folders the source reads
HOURS = (3, 15)  # two rotated files a day, one in each half of a 12-hour cadence


def events_on(day: date) -> int:
    """Events per deployment on ``day``: different every day, so rows per day are checkable."""
    return 2 * (day.toordinal() % 5 + 3)


def write_days(root: Path, days: list[date]) -> dict[date, int]:
    """Write ``events_on(day)`` events per deployment for each day, split over two files."""
    for deployment in DEPLOYMENTS:
        for day in days:
            per_file = events_on(day) // len(HOURS)
            for hour in HOURS:
                start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                lines = [
                    json.dumps(
                        {
                            "username": f"learner{i}",
                            "event_type": "play_video",
                            "event_source": "browser",
                            "time": (start + timedelta(seconds=i)).isoformat(),
                            "context": {"course_id": f"course-v1:MITx+{deployment}+1T2024"},
                            "event": json.dumps({"id": f"video-{i}"}),
                        }
                    )
                    for i in range(per_file)
                ]
                path = root / deployment / f"tracking.log-{start:%Y%m%d-%H%M}.gz"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    return {day: events_on(day) for day in days}
