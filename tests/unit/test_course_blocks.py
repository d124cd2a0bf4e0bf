"""Course exports (OLX) read as course blocks: order, hierarchy, settings, and broken archives."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime

import pytest

from ol_platform.exports.course_blocks import CourseArchiveError, course_blocks, usage_key
from ol_platform.simulators.studio import Course, course_archive

NOW = datetime(2026, 11, 27, tzinfo=UTC)
COURSE = "course-v1:MITxT+14.100x+3T2024"


def archive(files: dict[str, str], top: str = "course") -> io.BytesIO:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return io.BytesIO(gzip.compress(raw.getvalue()))


def read(data: io.BytesIO | bytes, course_id: str = COURSE) -> list[dict]:
    data = io.BytesIO(data) if isinstance(data, bytes) else data
    return course_blocks(data, course_id=course_id, course_content_hash="abc", retrieved_at=NOW)


def test_a_studio_export_reads_as_its_blocks_in_learner_order():
    course = Course(COURSE, "Microeconomics", videos=("v1", "v2", "v3"), problems=("p1",))
    data = course_archive(course)
    blocks = read(data)
    kinds = [b["block_type"] for b in blocks]
    # Two chapters (revision 0), each: sequential, vertical, its videos, its problems.
    assert kinds == [
        "course",
        *("chapter", "sequential", "vertical", "video", "video", "problem"),
        *("chapter", "sequential", "vertical", "video"),
    ]
    assert [b["block_index"] for b in blocks] == list(range(1, len(blocks) + 1))
    by_id = {b["block_id"]: b for b in blocks}
    video = by_id[usage_key(COURSE, "video", "v2")]
    assert video["block_id"] == "block-v1:MITxT+14.100x+3T2024+type@video+block@v2"
    unit = by_id[video["block_parent"]]
    sequential = by_id[unit["block_parent"]]
    chapter = by_id[sequential["block_parent"]]
    assert (unit["block_type"], sequential["block_type"], chapter["block_type"]) == (
        "vertical",
        "sequential",
        "chapter",
    )
    assert chapter["block_parent"] == blocks[0]["block_id"] == usage_key(COURSE, "course", "course")
    details = json.loads(video["block_details"])
    assert details["category"] == "video" and details["children"] == []
    assert details["metadata"]["html5_sources"] == ["https://video.example.org/v2.mp4"]
    assert details["metadata"]["transcripts"] == {"en": "v2-en.srt"}
    assert details["metadata"]["edx_video_id"]
    assert json.loads(unit["block_details"])["children"][0] == video["block_id"]
    assert sequential["block_due"] == "2026-03-02T23:59:00Z"  # v2: the second chapter
    assert {b["course_title"] for b in blocks} == {"Microeconomics"}
    assert {b["course_start"] for b in blocks} == {"2026-02-01T00:00:00Z"}
    assert {b["course_content_hash"] for b in blocks} == {"abc"}
    assert {b["retrieved_at"] for b in blocks} == {NOW}
    assert len({b["block_content_hash"] for b in blocks}) == len(blocks)
    # The same bytes read the same; a new revision moves blocks (a third chapter).
    assert read(data) == blocks
    course.revision += 1
    assert sum(b["block_type"] == "chapter" for b in read(course_archive(course))) == 3


def test_inline_blocks_child_tags_and_old_style_course_ids():
    files = {
        "course.xml": '<course url_name="2013_Spring" org="MITx" course="6.002x"/>',
        "course/2013_Spring.xml": (
            '<course display_name="Circuits">'
            '<chapter url_name="c1" display_name="Week 1">'
            '<sequential url_name="s1"><vertical url_name="u1">'
            '<video url_name="lecture" display_name="Lecture">'
            '<source src="https://a.example/1.mp4"/><transcript language="fr" src="fr.srt"/>'
            "</video>"
            "<html>no name</html>"
            "</vertical></sequential></chapter></course>"
        ),
    }
    blocks = read(archive(files), course_id="MITx/6.002x/2013_Spring")
    assert [b["block_type"] for b in blocks] == [
        "course",
        "chapter",
        "sequential",
        "vertical",
        "video",
        "html",
    ]
    assert blocks[4]["block_id"] == "i4x://MITx/6.002x/video/lecture"
    meta = json.loads(blocks[4]["block_details"])["metadata"]
    assert meta == {
        "display_name": "Lecture",
        "html5_sources": ["https://a.example/1.mp4"],
        "transcripts": {"fr": "fr.srt"},
    }
    # A block Studio left unnamed gets a stable name, the same on every read.
    unnamed = blocks[5]["block_id"]
    assert unnamed.startswith("i4x://MITx/6.002x/html/")
    assert read(archive(files), course_id="MITx/6.002x/2013_Spring")[5]["block_id"] == unnamed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (io.BytesIO(b"<html>error page</html>"), "not a readable .tar.gz"),
        (io.BytesIO(gzip.compress(b"x" * 600)[:-40]), "not a readable .tar.gz"),
        (archive({"about.xml": "<about/>"}), "no course.xml"),
        (archive({"course.xml": "<course><chapter"}), "course/course.xml is not valid XML"),
        (archive({"course.xml": "<problem/>"}), "holds <problem>, not <course>"),
        (
            archive({"course.xml": '<course><chapter url_name="gone"/></course>'}),
            "course/chapter/gone.xml is missing",
        ),
        (
            archive(
                {
                    "course.xml": '<course><chapter url_name="a"/><chapter url_name="a"/></course>',
                    "chapter/a.xml": "<chapter/>",
                }
            ),
            "appears twice",
        ),
    ],
    ids=[
        "not-gzip",
        "truncated",
        "no-course-xml",
        "bad-xml",
        "not-a-course",
        "missing-pointer",
        "duplicate",
    ],
)
def test_a_broken_archive_is_refused_naming_the_archive_and_file(data, message):
    with pytest.raises(CourseArchiveError, match="s3://landing/x.tar.gz") as caught:
        course_blocks(
            data,
            course_id=COURSE,
            course_content_hash=hashlib.sha256(b"").hexdigest(),
            retrieved_at=NOW,
            label="s3://landing/x.tar.gz",
        )
    assert message in str(caught.value)
