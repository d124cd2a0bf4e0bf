"""dlt loaders for the small public feeds: MITPE courses (REST JSON, replace on title+url),
the OLL course sheet (CSV export, replace on readable_id) and MIT podcasts (RSS channels and
episodes, merged on readable_id).

Each checks the shape of what it read and raises :class:`FeedShapeError` naming the feed and
the missing part; replaces are guarded by the lake writer's 80% rule, so a truncated feed
cannot wipe a table.
"""

from __future__ import annotations

import csv
import io
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from pyiceberg.catalog import Catalog

from ol_platform.ingest.dlt_runner import TablePlan, run_to_lake
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.lake.writer import CommitResult, WriteDisposition
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

OLL_COLUMNS = ("OLL Course", "readable_id", "Department", "Year")


def _get(url: str):
    from dlt.sources.helpers import requests

    response = requests.get(url, timeout=60)
    response.raise_for_status()
    return response


def _plan(source: Source, entity: str, disposition: WriteDisposition, freeze: bool) -> TablePlan:
    table = source.table(entity)
    return TablePlan(
        entity, source.raw_table_name(table), disposition, table.primary_key, freeze_types=freeze
    )


def mitpe_courses(base_url: str) -> list[dict]:
    url = f"{base_url}/mitpe/api/courses"
    body = _get(url).json()
    if not isinstance(body, dict) or not isinstance(body.get("courses"), list):
        raise FeedShapeError(f"MITPE feed {url}: expected a JSON object with a 'courses' list")
    for course in body["courses"]:
        missing = {"title", "url"} - set(course)
        if missing:
            raise FeedShapeError(f"MITPE feed {url}: a course lacks {sorted(missing)}")
    return body["courses"]


def load_mitpe(
    source: Source, *, base_url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    import dlt

    rows = mitpe_courses(base_url)
    resource = dlt.resource(rows, name="courses", max_table_nesting=0)
    plan = _plan(source, "courses", WriteDisposition.REPLACE, freeze=True)
    return run_to_lake(source, [resource], [plan], catalog=catalog, settings=settings)


def oll_courses(base_url: str) -> list[dict]:
    url = f"{base_url}/oll/courses.csv"
    reader = csv.DictReader(io.StringIO(_get(url).text))
    missing = [c for c in OLL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FeedShapeError(
            f"OLL sheet {url}: columns {missing} are missing (got {reader.fieldnames})"
        )
    return [row for row in reader if row.get("readable_id")]


def load_oll(
    source: Source, *, base_url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    import dlt

    resource = dlt.resource(oll_courses(base_url), name="courses")
    plan = _plan(source, "courses", WriteDisposition.REPLACE, freeze=True)
    return run_to_lake(source, [resource], [plan], catalog=catalog, settings=settings)


def _text(element: ElementTree.Element, tag: str, url: str) -> str:
    found = element.find(tag)
    if found is None or found.text is None:
        raise FeedShapeError(f"podcast feed {url}: <{element.tag}> has no <{tag}>")
    return found.text


def podcast_records(base_url: str) -> tuple[list[dict], list[dict]]:
    listing = _get(f"{base_url}/podcasts/").json()
    channels, episodes = [], []
    for slug in listing.get("feeds", []):
        url = f"{base_url}/podcasts/{slug}.rss"
        try:
            channel = ElementTree.fromstring(_get(url).content).find("channel")
        except ElementTree.ParseError as exc:
            raise FeedShapeError(f"podcast feed {url}: not XML ({exc})") from exc
        if channel is None:
            raise FeedShapeError(f"podcast feed {url}: no <channel> element")
        channels.append(
            {
                "readable_id": slug,
                "title": _text(channel, "title", url),
                "url": _text(channel, "link", url),
                "description": channel.findtext("description"),
            }
        )
        for item in channel.findall("item"):
            enclosure = item.find("enclosure")
            episodes.append(
                {
                    "readable_id": _text(item, "guid", url),
                    "channel_readable_id": slug,
                    "title": _text(item, "title", url),
                    "url": item.findtext("link"),
                    "published_at": parsedate_to_datetime(_text(item, "pubDate", url)),
                    "audio_url": enclosure.get("url") if enclosure is not None else None,
                    "description": item.findtext("description"),
                }
            )
    if not channels:
        raise FeedShapeError(f"podcast feeds {base_url}/podcasts/: no feeds listed")
    return channels, episodes


def load_podcasts(
    source: Source, *, base_url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    import dlt

    channels, episodes = podcast_records(base_url)
    resources = [dlt.resource(channels, name="channels"), dlt.resource(episodes, name="episodes")]
    plans = [
        _plan(source, "channels", WriteDisposition.MERGE, freeze=True),
        _plan(source, "episodes", WriteDisposition.MERGE, freeze=True),
    ]
    return run_to_lake(source, resources, plans, catalog=catalog, settings=settings)
