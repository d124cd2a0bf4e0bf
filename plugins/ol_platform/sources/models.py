"""Typed records for include/sources.yaml: one :class:`Source` per upstream system."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ol_platform.lake.naming import raw_table_name

# Identifiers end up in table names, task ids and Asset names: bounded, lower-case ASCII.
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]
ColumnName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=100)]
# A raw table's full name, for the tables whose name in the existing lake does not follow the
# naming scheme (tracking logs, Airbyte's third-party connectors).
RawName = Annotated[
    str, StringConstraints(pattern=r"^raw__[a-z0-9]+(_{1,3}[a-z0-9]+)*$", max_length=200)
]

# Airflow's limit on a DAG id (its KEY_REGEX allows letters, digits, '_', '.', '-').
MAX_DAG_ID = 250
INGEST_PREFIX = "ingest__"
EXPORT_PREFIX = "course_export__"
# The one raw table a course export lands: the structure of each exported course.
COURSE_BLOCKS = "course_blocks"
# A source name becomes ``ingest__<name>``. No double underscore: the DAG ids of broken
# entries use one (``ingest__broken__entry_3``), so they can never collide with a real source.
NAME_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
MAX_NAME = MAX_DAG_ID - len(EXPORT_PREFIX)


class FieldError(ValueError):
    """A rule across fields, blamed on the one a user would change (``field``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def name_problem(value: object) -> str | None:
    """Why ``value`` cannot be a source name (None if it can). Never repeats the value."""
    if isinstance(value, bool):
        return "YAML read a boolean (no/yes/on/off/true/false): a name must be quoted text"
    if value is None:
        return "is required"
    if not isinstance(value, str):
        return f"must be text, not a {type(value).__name__}"
    if len(value) > MAX_NAME:
        return f"is {len(value)} characters long; at most {MAX_NAME} (it becomes a DAG id)"
    if not re.fullmatch(NAME_PATTERN, value):
        return (
            "must start with a lower-case letter and hold only a-z, 0-9 and single "
            "underscores (it becomes the DAG id ingest__<name>)"
        )
    return None


class Transport(StrEnum):
    """How a source reaches the lake."""

    AIRBYTE = "airbyte"
    DLT = "dlt"
    API_TASK = "api_task"
    COURSE_EXPORT = "course_export"


class Storage(StrEnum):
    """The storage segment of a raw table name."""

    POSTGRES = "postgres"
    MYSQL = "mysql"
    S3 = "s3"
    API = "api"
    RSS = "rss"
    GOOGLE_SHEETS = "google_sheets"
    BIGQUERY = "bigquery"


class Cadence(StrEnum):
    EVERY_10_MINUTES = "10m"
    EVERY_6_HOURS = "6h"
    EVERY_12_HOURS = "12h"
    DAILY = "24h"

    @property
    def minutes(self) -> int:
        return {"10m": 10, "6h": 360, "12h": 720, "24h": 1440}[self.value]

    @property
    def cron(self) -> str:
        return {
            "10m": "*/10 * * * *",
            "6h": "0 */6 * * *",
            "12h": "0 */12 * * *",
            "24h": "0 4 * * *",
        }[self.value]


class Tag(StrEnum):
    """The fixed set of DAG tags; free-form tags drift, an enumeration does not."""

    INGEST = "ingest"
    AIRBYTE = "airbyte"
    DLT = "dlt"
    API = "api"
    COURSE_EXPORT = "course-export"
    APP_DATABASE = "app-database"
    OPENEDX = "openedx"
    FEED = "feed"
    MITXONLINE = "mitxonline"
    XPRO = "xpro"
    MITX = "mitx"
    EDXORG = "edxorg"
    BOOTCAMPS = "bootcamps"
    MITLEARN = "mitlearn"
    MICROMASTERS = "micromasters"
    OCW = "ocw"
    CANVAS = "canvas"
    IRX = "irx"
    CRM = "crm"
    EMAIL = "email"
    VIDEO = "video"
    TRACKING = "tracking"
    CONTENT = "content"
    TRANSFORM = "transform"
    DBT = "dbt"
    MAINTENANCE = "maintenance"


class RawTable(BaseModel):
    """One raw table a source produces (named by ``ol_platform.lake.naming.raw_table_name``)."""

    model_config = ConfigDict(extra="forbid")

    entity: Identifier
    primary_key: list[ColumnName] = Field(default_factory=list)
    cursor: ColumnName | None = Field(
        default=None, description="Column whose growth marks new or changed rows."
    )
    namespace: Identifier | None = None
    subsystem: Identifier | None = Field(
        default=None, description="Overrides the source's subsystem (xPRO lands app and Open edX)."
    )
    storage: Storage | None = Field(default=None, description="Overrides the source's storage.")
    name: RawName | None = Field(
        default=None,
        description="The raw table's full name, where the existing lake's name does not follow "
        "the raw__{system}[__{subsystem}]__{storage}[__{namespace}]__{entity} scheme.",
    )
    loaded_at: ColumnName | None = Field(
        default=None,
        description="Column dbt source freshness reads; defaults to _airbyte_extracted_at for "
        "Airbyte-shaped tables, else the cursor.",
    )


class AirbyteSettings(BaseModel):
    """Production path: Airbyte connections synced by this source's DAG.

    Connection ids differ per Airbyte workspace, so the registry names each connection and
    the deployment maps the name to an id with the Airflow Variable
    ``airbyte_connection__<name>`` (resolved at run time, never at parse time).
    """

    model_config = ConfigDict(extra="forbid")

    connections: list[Identifier] = Field(min_length=1)
    airflow_conn_id: str = Field(default="airbyte_default", min_length=1, max_length=250)
    timeout_minutes: int = Field(default=180, gt=0)


class LocalSettings(BaseModel):
    """Local/CI path: the loader that feeds the same raw tables from a sample system."""

    model_config = ConfigDict(extra="forbid")

    loader: Identifier = Field(description="Key of a loader in ol_platform.ingest.loaders.")
    sample: Identifier | None = Field(default=None, description="Sample system that feeds it.")
    conn_id: str | None = Field(
        default=None, min_length=1, max_length=250, description="Airflow connection of the system."
    )


class BackfillMode(StrEnum):
    """What a backfill of a past interval means for a source (``olp backfill`` enforces it)."""

    WINDOW = "window"  # a run's data interval selects the data it loads
    SNAPSHOT = "snapshot"  # every run reads the whole current state: a past window is meaningless


class BackfillSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: BackfillMode
    by: str = Field(
        default="",
        max_length=300,
        description="What the data interval selects (window) or why it cannot (snapshot).",
    )


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    owner: str = Field(min_length=1, max_length=100)
    transport: Transport
    cadence: Cadence
    system: Identifier
    subsystem: Identifier | None = None
    storage: Storage | None = None
    tags: list[Tag] = Field(default_factory=list)
    tables: list[RawTable] = Field(default_factory=list)
    airbyte: AirbyteSettings | None = None
    local: LocalSettings
    retries: int = Field(default=2, ge=0, le=10)
    timeout_minutes: int = Field(default=120, gt=0)
    backfill: BackfillSettings | None = Field(
        default=None, description="Backfill semantics; snapshot when absent."
    )

    @field_validator("name", mode="before")
    @classmethod
    def _check_name(cls, value: object) -> object:
        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> Source:
        if self.transport is Transport.AIRBYTE and self.airbyte is None:
            raise FieldError(
                "airbyte", "transport 'airbyte' needs an 'airbyte' block naming its connections"
            )
        if self.transport is not Transport.AIRBYTE and self.airbyte is not None:
            raise FieldError("airbyte", f"transport '{self.transport}' takes no 'airbyte' block")
        if self.tables and self.storage is None:
            raise FieldError("storage", "a source that lands raw tables needs a 'storage'")
        structure = [t.entity for t in self.tables] == [COURSE_BLOCKS]
        exporter = self.local.loader in ("openedx_export", "canvas_export")
        if self.tables and exporter and not (structure and self.local.loader == "openedx_export"):
            raise FieldError(
                "tables",
                f"an Open edX course export lands one table, its course structure "
                f"(entity '{COURSE_BLOCKS}'); other exports land none",
            )
        names = self.raw_table_names()
        for name in names:
            if names.count(name) > 1:
                raise FieldError("tables", f"raw table '{name}' is listed twice")
        return self

    @property
    def dag_id(self) -> str:
        """``ingest__<name>``; a course export's is ``course_export__<system>`` (the
        deployment or Canvas it exports from, which also names its Asset)."""
        if self.transport is Transport.COURSE_EXPORT:
            return f"{EXPORT_PREFIX}{self.system}"
        return f"{INGEST_PREFIX}{self.name}"

    @property
    def schedule(self) -> str:
        return self.cadence.cron

    def raw_table_name(self, table: RawTable) -> str:
        if table.name:
            return table.name
        storage = table.storage or self.storage
        assert storage is not None, "validated: sources with tables have a storage"
        return raw_table_name(
            self.system,
            storage,
            table.entity,
            subsystem=table.subsystem or self.subsystem,
            namespace=table.namespace,
        )

    def raw_table_names(self) -> list[str]:
        return [self.raw_table_name(t) for t in self.tables]

    def table(self, entity: str) -> RawTable:
        for t in self.tables:
            if t.entity == entity:
                return t
        raise KeyError(f"source '{self.name}' has no table '{entity}'")

    @property
    def all_tags(self) -> list[str]:
        transport_tag = {
            Transport.AIRBYTE: Tag.AIRBYTE,
            Transport.DLT: Tag.DLT,
            Transport.API_TASK: Tag.API,
            Transport.COURSE_EXPORT: Tag.COURSE_EXPORT,
        }[self.transport]
        kind = Tag.COURSE_EXPORT if self.transport is Transport.COURSE_EXPORT else Tag.INGEST
        return sorted({kind.value, transport_tag.value, *(t.value for t in self.tags)})
