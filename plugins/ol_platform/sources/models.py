"""Typed records for include/sources.yaml: one :class:`Source` per upstream system."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ol_platform.lake.naming import raw_table_name

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
ColumnName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Transport(StrEnum):
    """How a source reaches the lake (REFERENCE.md §1)."""

    AIRBYTE = "airbyte"
    DLT = "dlt"
    API_TASK = "api_task"
    COURSE_EXPORT = "course_export"


class Storage(StrEnum):
    """The storage segment of a raw table name (REFERENCE.md §2)."""

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


class RawTable(BaseModel):
    """One raw table a source produces; its full name follows REFERENCE.md §2."""

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
    airflow_conn_id: str = "airbyte_default"
    timeout_minutes: int = Field(default=180, gt=0)


class LocalSettings(BaseModel):
    """Local/CI path: the loader that feeds the same raw tables from a sample system."""

    model_config = ConfigDict(extra="forbid")

    loader: Identifier = Field(description="Key of a loader in ol_platform.ingest.loaders.")
    sample: Identifier | None = Field(default=None, description="Sample system that feeds it.")
    conn_id: str | None = Field(default=None, description="Airflow connection of the system.")


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

    name: Identifier
    title: str = Field(min_length=1)
    description: str = ""
    owner: str = Field(min_length=1)
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

    @model_validator(mode="after")
    def _check_consistency(self) -> Source:
        if self.transport is Transport.AIRBYTE and self.airbyte is None:
            raise ValueError("transport 'airbyte' needs an 'airbyte' block naming its connections")
        if self.transport is not Transport.AIRBYTE and self.airbyte is not None:
            raise ValueError(f"transport '{self.transport}' takes no 'airbyte' block")
        if self.tables and self.storage is None:
            raise ValueError("a source that lands raw tables needs a 'storage'")
        names = self.raw_table_names()
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"raw table '{name}' is listed twice")
        return self

    @property
    def dag_id(self) -> str:
        return f"ingest__{self.name}"

    @property
    def schedule(self) -> str:
        return self.cadence.cron

    def raw_table_name(self, table: RawTable) -> str:
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
        return sorted({Tag.INGEST.value, transport_tag.value, *(t.value for t in self.tags)})
