"""Generated Open edX tracking log files: the local stand-in for the S3 bucket Airbyte syncs.

Open edX writes one JSON event per line to ``tracking.log`` and rotates it hourly into gzipped
files such as ``tracking.log-20241124-1700.gz``; each deployment has its own folder. The
events copy the quirks of real logs that the normalise step must cope with: browser events
carry ``event`` as a JSON-encoded *string*, server events as an object, ``page_close`` as an
empty string; ``time`` drops its microseconds when they are zero (``isoformat``); anonymous
events have an empty username and user id; and a cut-off write leaves a truncated line.

Generation is deterministic for a seed, byte for byte (gzip mtime 0). ``batch`` N writes the
N-th block of hours, so a later batch adds only new files, as the next sync would.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ol_platform.samples import edxorg_archives, mitx_residential
from ol_platform.samples.app_databases import XPRO_COURSES
from ol_platform.samples.mitxonline_app import course_run_keys

BASE = datetime(2024, 11, 24, 17, tzinfo=UTC)
FILE_PREFIX = "tracking.log-"

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
]
LANGUAGES = ["en-US,en;q=0.9", "es-ES,es;q=0.8,en;q=0.5", "fr-FR,fr;q=0.9", "zh-CN,zh;q=0.9"]
# (event_type, event_source, weight)
KINDS = [
    ("load_video", "browser", 4),
    ("play_video", "browser", 14),
    ("pause_video", "browser", 10),
    ("seek_video", "browser", 5),
    ("stop_video", "browser", 2),
    ("complete_video", "browser", 2),
    ("problem_show", "browser", 4),
    ("page_close", "browser", 6),
    ("problem_check", "server", 10),
    ("edx.grades.subsection.grade_calculated", "server", 4),
    ("edx.course.enrollment.activated", "server", 3),
    ("edx.course.enrollment.deactivated", "server", 1),
    ("implicit", "server", 8),  # event_type is the requested URL path
]
VIDEO_EVENTS = frozenset(k for k, _, _ in KINDS if k.endswith("_video"))
# Each course run has a few videos and problems; their block ids are stable, so the same video
# or problem shows up in many events, as in real logs.
VIDEOS_PER_RUN = 4
PROBLEMS_PER_RUN = 5
# MITx residential course runs (the residential LMS keys its runs by term).


@dataclass(frozen=True)
class Deployment:
    name: str
    host: str
    org: str
    course_ids: tuple[str, ...]
    users: int
    events_per_hour: int
    # The learner's username given their user id (the deployment's auth_user rows).
    username_of: Callable[[int], str] | None = None
    # (user id, course run) pairs events are drawn from, where only enrolled learners (who
    # alone are in the deployment's user table) may appear; else any user of any run.
    learners: tuple[tuple[int, str], ...] = ()

    def username(self, user_id: int) -> str:
        if self.username_of is not None:
            return self.username_of(user_id)
        return f"{self.org.lower()}user{user_id}"


def _edxorg_username(user_id: int) -> str:
    return edxorg_archives._user(7, user_id, day=1, touched=False)["username"]


def _edxorg_learners(size: edxorg_archives.SampleSize) -> tuple[tuple[int, str], ...]:
    """The edX.org exports' enrollments: their auth_user holds the enrolled learners only."""
    pairs = []
    for index, (number, run) in enumerate(edxorg_archives.course_runs(size)):
        rows = edxorg_archives._run_rows(7, size, index, number, run, day=1, reexported=False)
        pairs += [(e["user_id"], e["course_id"]) for e in rows["student_courseenrollment"]]
    return tuple(pairs)


def _residential() -> tuple[dict[int, str], tuple[tuple[int, str], ...]]:
    """Residential MITx's learners as its Open edX sample holds them: usernames and enrollments
    (in its runs with opaque keys; its legacy ``org/number/run`` runs predate these logs)."""
    rows = mitx_residential.generate(7)
    usernames = {u["id"]: u["username"] for u in rows["auth_user"]}
    enrollments = rows["student_courseenrollment"]
    opaque = [e for e in enrollments if e["course_id"].startswith("course-v1:")]
    return usernames, tuple((e["user_id"], e["course_id"]) for e in opaque)


def _deployments() -> dict[str, Deployment]:
    # Usernames and ids follow the Open edX auth_user rows of the app_databases samples, and
    # edX.org's those of its database exports (same seed, same runs).
    mitxonline_runs = tuple(f"course-v1:MITxT+{n}+{t}" for n, t in course_run_keys())
    xpro_runs = tuple(f"course-v1:xPRO+{c}+R{r}" for c, _ in XPRO_COURSES for r in range(1, 4))
    size = edxorg_archives.SampleSize()
    edxorg_runs = tuple(
        edxorg_archives.course_id(n, r) for n, r in edxorg_archives.course_runs(size)
    )
    residential_usernames, residential_learners = _residential()
    residential_runs = tuple(sorted({run for _, run in residential_learners}))
    return {
        "mitxonline": Deployment(
            "mitxonline", "courses.mitxonline.mit.edu", "MITxT", mitxonline_runs, 800, 60
        ),
        "xpro": Deployment("xpro", "courses.xpro.mit.edu", "xPRO", xpro_runs, 300, 25),
        "mitx": Deployment(
            "mitx",
            "lms.mitx.mit.edu",
            "MITx",
            residential_runs,
            len(residential_usernames),
            40,
            residential_usernames.__getitem__,
            residential_learners,
        ),
        "edxorg": Deployment(
            "edxorg",
            "courses.edx.org",
            "MITx",
            edxorg_runs,
            size.users,
            40,
            _edxorg_username,
            _edxorg_learners(size),
        ),
    }


DEPLOYMENTS = _deployments()


@dataclass
class LogBatch:
    """What one call wrote, per deployment: the files and their valid and truncated lines."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    valid_lines: dict[str, int] = field(default_factory=dict)
    malformed_lines: dict[str, int] = field(default_factory=dict)


def file_name(hour: datetime) -> str:
    return f"{FILE_PREFIX}{hour:%Y%m%d-%H%M}.gz"


def _hex(rng: random.Random, n: int = 32) -> str:
    return f"{rng.getrandbits(n * 4):0{n}x}"


def _block(course_id: str, kind: str, rng: random.Random) -> str:
    key = course_id.removeprefix("course-v1:")
    return f"block-v1:{key}+type@{kind}+block@{_hex(rng)}"


def _stable_id(*parts: object) -> str:
    return hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()


def video_ids(course_id: str) -> list[str]:
    """The block ids (the hex part of the usage key) of a course run's videos."""
    return [_stable_id(course_id, "video", k) for k in range(VIDEOS_PER_RUN)]


def video_duration(video_id: str) -> float:
    """A video's length in seconds, the same in every event that reports it."""
    return 120.0 + int(video_id[:4], 16) % 1200 + 0.5


def problem_ids(course_id: str) -> list[str]:
    """The block ids of a course run's problems."""
    return [_stable_id(course_id, "problem", k) for k in range(PROBLEMS_PER_RUN)]


def problem_usage_key(course_id: str, k: int) -> str:
    key = course_id.removeprefix("course-v1:")
    return f"block-v1:{key}+type@problem+block@{problem_ids(course_id)[k]}"


def exported_runs(deployment: str, courses: int = 6) -> list[str]:
    """The runs the demo's Studio exports, with their course structure: the latest run of the
    first ``courses`` courses of the deployment's logs (few, to keep the demo's exports and
    webhooks short; the other runs' videos are known from their events only)."""
    latest: dict[str, str] = {}
    for course_id in sorted(DEPLOYMENTS[deployment].course_ids):
        course = course_id.rsplit("+", 1)[0]
        latest[course] = max(latest.get(course, course_id), course_id, key=_run_order)
    return sorted(latest.values())[:courses]


def _run_order(course_id: str) -> tuple[str, str]:
    run = course_id.rsplit("+", 1)[-1]  # 1T2024, R2
    return (run[-4:], run[:-4]) if run[-4:].isdigit() else ("", run)


def _video_event(rng: random.Random, event_type: str, course_id: str) -> dict:
    video = rng.choice(video_ids(course_id))
    duration = video_duration(video)
    code = rng.choice(["html5", "mobile", f"yt{video[:9]}"])
    if event_type == "load_video":
        return {"id": video, "code": code, "duration": duration}
    if event_type == "seek_video":
        old = round(rng.uniform(0, duration), 3)
        new = round(min(duration, max(0.0, old + rng.uniform(-120, 120))), 3)
        return {
            "id": video,
            "old_time": old,
            "new_time": new,
            "type": "onSlideSeek",
            "code": code,
            "duration": duration,
        }
    position = duration if event_type == "complete_video" else round(rng.uniform(0, duration), 3)
    return {"id": video, "currentTime": position, "code": code, "duration": duration}


def _event(rng: random.Random, dep: Deployment, when: datetime) -> dict:
    event_type, source = rng.choices([k[:2] for k in KINDS], [k[2] for k in KINDS])[0]
    anonymous = source == "browser" and rng.random() < 0.04
    if dep.learners:  # a learner enrolled in the run (the deployment's enrollment rows)
        learner, course_id = rng.choice(dep.learners)
    else:
        learner, course_id = rng.randrange(1, dep.users + 1), rng.choice(dep.course_ids)
    user_id: int | str = "" if anonymous else learner
    username = "" if anonymous else dep.username(int(user_id))
    lms = f"https://{dep.host}"
    page = f"{lms}/learn/course/{course_id}/{_block(course_id, 'vertical', rng)}"
    path = "/event"
    module = None
    event: dict | str
    if event_type in VIDEO_EVENTS:
        # browser events arrive JSON-encoded
        event = json.dumps(_video_event(rng, event_type, course_id))
    elif event_type == "problem_show":
        problem = problem_usage_key(course_id, rng.randrange(PROBLEMS_PER_RUN))
        event = json.dumps({"problem": problem})
    elif event_type == "page_close":
        event = ""
    elif event_type == "problem_check":
        number = rng.randrange(PROBLEMS_PER_RUN)
        problem = problem_usage_key(course_id, number)
        correct = rng.random() < 0.6
        event = {
            "answers": {f"{problem}_2_1": rng.choice(["choice_0", "choice_1", "choice_2"])},
            "attempts": rng.randrange(1, 4),
            "grade": int(correct),
            "max_grade": 1,
            "problem_id": problem,
            "success": "correct" if correct else "incorrect",
        }
        path = f"/courses/{course_id}/xblock/{problem}/handler/xmodule_handler/problem_check"
        module = {"display_name": f"Checkpoint {number + 1}", "usage_key": problem}
        page = None
    elif event_type == "edx.grades.subsection.grade_calculated":
        earned = rng.randrange(0, 11)
        event = {
            "course_id": course_id,
            "user_id": user_id,
            "block_id": _block(course_id, "sequential", rng),
            "weighted_graded_earned": float(earned),
            "weighted_graded_possible": 10.0,
            "event_transaction_type": "edx.grades.problem.submitted",
        }
        page = None
    elif event_type.startswith("edx.course.enrollment."):
        mode = rng.choice(["audit", "verified"])
        event = {"course_id": course_id, "user_id": user_id, "mode": mode}
        path = "/api/enrollments/v1/enrollment"
        page = None
    else:
        event_type = path = f"/api/courseware/course/{course_id}"
        event = json.dumps({"POST": {}, "GET": {"browser_timezone": ["America/New_York"]}})
        page = None
    context = {
        "course_id": "" if anonymous and rng.random() < 0.5 else course_id,
        "course_user_tags": {},
        "user_id": user_id,
        "org_id": dep.org,
        "path": path,
        "enterprise_uuid": "",
    }
    if module:
        context["module"] = module
    # isoformat() drops zero microseconds, so real logs mix both forms.
    stamp = when.replace(microsecond=0) if rng.random() < 0.1 else when
    return {
        "name": event_type,
        "context": context,
        "username": username,
        "session": "" if anonymous else _hex(rng),
        "ip": f"198.51.100.{rng.randrange(1, 255)}",
        "agent": rng.choice(AGENTS),
        "host": dep.host,
        "referer": page or f"{lms}/dashboard",
        "accept_language": rng.choice(LANGUAGES),
        "event": event,
        "time": stamp.isoformat(),
        "event_type": event_type,
        "event_source": source,
        "page": page,
    }


def _write_gzip(path: Path, lines: list[str], *, final_newline: bool = True) -> None:
    """Write atomically (a reader never sees half a file) and byte-reproducibly (mtime 0)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    text = "\n".join(lines) + ("\n" if final_newline else "")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text.encode())
    os.replace(tmp, path)


def write_tracking_logs(
    root: Path, *, batch: int = 0, hours: int = 6, seed: int = 7, scale: float = 1.0
) -> LogBatch:
    """Write hour files ``batch * hours`` to ``(batch + 1) * hours`` after :data:`BASE` for
    every deployment under ``root/<deployment>/``. Two lines per deployment and batch are
    truncated: one mid-file, one at the end of the last file (a write cut off at rotation).
    """
    written = LogBatch()
    for dep in DEPLOYMENTS.values():
        rng = random.Random(f"{seed}:{dep.name}:{batch}")
        files, valid = [], 0
        cut_mid = rng.randrange(hours)
        for h in range(batch * hours, (batch + 1) * hours):
            hour = BASE + timedelta(hours=h)
            n = max(1, round(dep.events_per_hour * scale * rng.uniform(0.7, 1.3)))
            offsets = sorted(rng.randrange(3_600_000_000) for _ in range(n))
            lines = [
                json.dumps(_event(rng, dep, hour + timedelta(microseconds=us))) for us in offsets
            ]
            valid += len(lines)
            if h - batch * hours == cut_mid:
                lines.insert(len(lines) // 2, lines[0][: len(lines[0]) // 2])
            last = h == (batch + 1) * hours - 1
            if last:
                lines.append(lines[-1][: len(lines[-1]) // 3])
            path = root / dep.name / file_name(hour)
            _write_gzip(path, lines, final_newline=not last)
            files.append(path)
        written.files[dep.name] = files
        written.valid_lines[dep.name] = valid
        written.malformed_lines[dep.name] = 2
    return written
