"""dbt-duckdb plugin: DuckDB as a stateless engine over the Iceberg lake, as Trino is.

* ``configure_connection``: every Iceberg table in a namespace of this warehouse
  (``<target schema>_*``, the raw lake included) becomes a DuckDB view over the data files of
  its current snapshot, under a schema named like the namespace. dbt's ``source()`` and
  ``ref()`` then resolve to lake tables, whichever process built them.
* ``store``: called by the ``iceberg_table`` materialization, commits a model's rows to the
  Iceberg table ``<schema>.<model>`` as one transaction (schema evolved, rows replaced); called
  by the ``incremental`` materialization (format ``iceberg_<strategy>``), merges the changed
  rows it computed into that table, also as one transaction (see :meth:`Plugin.merge`).
* ``olp_lake_read``, a DuckDB function the ``new_rows`` macro calls: which data files of an
  input an incremental model has not read yet. Each model's table keeps, per input, the
  snapshot of that input it last read (table property ``olp.read.<namespace>.<table>``, set in
  the commit that writes the model's rows), so a run reads the files committed since, exactly:
  no lookback re-reads the previous landing, and a load that commits late is still read.

The catalog is pyiceberg's catalog ``olp``, configured through pyiceberg's environment
variables (``PYICEBERG_CATALOG__OLP__*``), which the platform passes to every dbt process.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import TargetConfig
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions import In
from pyiceberg.manifest import ManifestContent
from pyiceberg.table import StaticTable, Table
from pyiceberg.table.snapshots import ancestors_of
from pyiceberg.utils.config import Config
from sqlalchemy import select
from sqlalchemy.orm import Session


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _local_path(uri: str) -> str:
    return uri.removeprefix("file://")


def _files_cache(metadata_location: str | None) -> Path | None:
    """Where the data-file list of a local table's metadata file is kept, if it is local."""
    if not metadata_location or not metadata_location.startswith("file://"):
        return None
    return Path(_local_path(metadata_location) + ".olp-files.json")


def _read_files(files: list[str], filename: str | None = None) -> str:
    """DuckDB's reader of Parquet data files, by column name (the files of a table whose
    schema evolved differ in columns); ``filename`` names a column holding each row's file."""
    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    named = f", filename='{filename}'" if filename else ""
    return f"read_parquet([{listing}], union_by_name=true{named})"


# Table property of an incremental model: the snapshot of an input it last read.
READ_PROPERTY = "olp.read."


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema])


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._prefix = plugin_config.get("namespace_prefix", "")
        self._catalog_name = plugin_config.get("catalog", "olp")
        self._catalog: Catalog | None = None
        self._conn = None
        # (namespace, table) -> the metadata file whose data files the connection reads.
        self._read_at: dict[tuple[str, str], str] = {}
        # model (namespace, table) -> {READ_PROPERTY + input: snapshot id} for its next commit.
        self._reads: dict[tuple[str, str], dict[str, str]] = {}
        self._lock = threading.Lock()

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            # The catalog's configuration as the environment has it now: pyiceberg's own copy
            # is read once, when pyiceberg is imported, and the warm dbt server imports it
            # before a command's environment exists.
            config = Config().get_catalog_config(self._catalog_name) or {}
            self._catalog = load_catalog(self._catalog_name, **config)
        return self._catalog

    def configure_connection(self, conn) -> None:
        self._conn = conn
        tables = [
            (namespace, identifier[-1])
            for (namespace,) in self.catalog.list_namespaces()
            if namespace.startswith(self._prefix)
            for identifier in self.catalog.list_tables(namespace)
        ]
        locations = self._metadata_locations()
        existing = _relations(conn)
        for namespace in sorted({namespace for namespace, _ in tables}):
            conn.execute(f"create schema if not exists {_quote(namespace)}")
        for namespace, name in tables:
            self._register(conn, namespace, name, existing, locations.get((namespace, name)))
        conn.create_function(
            "olp_lake_read",
            self.lake_read,
            ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"],
            "VARCHAR",
            side_effects=True,
        )

    def _metadata_locations(self) -> dict[tuple[str, str], str]:
        """Every table's current metadata file, in one query of a SQL catalog (the local lake);
        other catalogs answer per table in :meth:`_data_files`."""
        if not isinstance(self.catalog, SqlCatalog):
            return {}
        with Session(self.catalog.engine) as session:
            rows = session.execute(
                select(
                    IcebergTables.table_namespace,
                    IcebergTables.table_name,
                    IcebergTables.metadata_location,
                ).where(IcebergTables.catalog_name == self.catalog.name)
            )
            return {(ns, name): location for ns, name, location in rows if location}

    def _data_files(
        self, namespace: str, name: str, metadata_location: str | None
    ) -> tuple[list[str], str | None]:
        """The data files of the table's current snapshot, and its metadata file.

        Planning them reads the table's metadata, manifest list and manifests: most of the
        cost of opening a dbt connection over a lake of hundreds of tables, paid again by every
        dbt process although most tables have not changed. A metadata file is never rewritten
        (each commit writes a new one), so the list is kept next to it and read from there
        while that file is the table's current one.
        """
        cached = _files_cache(metadata_location)
        if cached is not None and cached.exists():
            return json.loads(cached.read_text()), metadata_location
        table = self.catalog.load_table((namespace, name))
        files = [_local_path(task.file.file_path) for task in table.scan().plan_files()]
        if (cache := _files_cache(table.metadata_location)) is not None:
            partial = cache.with_name(f".{cache.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_text(json.dumps(files))
            partial.replace(cache)  # atomic: a concurrent reader sees all of it or nothing
        return files, table.metadata_location

    def _register(
        self,
        conn,
        namespace: str,
        name: str,
        existing: dict[tuple[str, str], str],
        metadata_location: str | None = None,
    ) -> None:
        """The lake table as a DuckDB view over its data files (an empty table if it has none),
        replacing the relation of that name among the connection's ``existing`` ones (a
        model built here)."""
        target = f"{_quote(namespace)}.{_quote(name)}"
        files, location = self._data_files(namespace, name, metadata_location)
        if location is not None:
            self._read_at[(namespace, name)] = location
        kind = existing.get((namespace, name))
        if kind is not None and kind != ("VIEW" if files else "BASE TABLE"):
            conn.execute(f"drop {'table' if kind == 'BASE TABLE' else 'view'} {target}")
        if files:
            conn.execute(f"create or replace view {target} as select * from {_read_files(files)}")
        else:
            table = self.catalog.load_table((namespace, name))
            empty = table.schema().as_arrow().empty_table()  # noqa: F841 - read by DuckDB
            conn.execute(f"create or replace table {target} as select * from empty")

    def lake_read(
        self, namespace: str, name: str, model_namespace: str, model_name: str, incremental: bool
    ) -> str:
        """What a model is to read of its input ``namespace.name``, as JSON (the DuckDB function
        ``olp_lake_read``, called by the ``new_rows`` macro as the model's SQL is compiled):

        - ``{"read": "all"}``: all of it (a full build; an input rebuilt or replaced since, or
          with delete files);
        - ``{"read": "files", "files": [...]}``: the data files committed since the snapshot of
          the input the model last read (none: nothing new);
        - ``{"read": "lookback"}``: the model's table has no record of a read (it was built
          before reads were recorded) or the input is not a lake table: the macro falls back
          to the ingestion-time lookback.

        The snapshot read now is kept for the model's next commit (:meth:`store`,
        :meth:`merge`), which records it.
        """
        location = self._read_at.get((namespace, name))
        if location is None:
            return _answer("lookback")
        source = StaticTable.from_metadata(location, properties=self.catalog.properties)
        snapshot = source.current_snapshot()
        key = f"{READ_PROPERTY}{namespace}.{name}"
        if snapshot is not None:
            with self._lock:
                reads = self._reads.setdefault((model_namespace, model_name), {})
                reads[key] = str(snapshot.snapshot_id)
        if not incremental:
            return _answer("all")
        try:
            since = self.catalog.load_table((model_namespace, model_name)).properties.get(key)
        except NoSuchTableError:
            return _answer("all")
        if since is None:
            return _answer("lookback")
        if snapshot is None:
            return _answer("files", [])
        try:
            added = _files_added(source, int(since))
        except ValueError:  # not a snapshot id: read it all, and record a good one
            added = None
        total = int((snapshot.summary or {}).get("total-data-files", -1))
        if added is None or (added and len(added) == total):
            return _answer("all")
        return _answer("files", added)

    def _take_reads(self, namespace: str, name: str) -> dict[str, str]:
        with self._lock:
            return self._reads.pop((namespace, name), {})

    def store(self, target_config: TargetConfig) -> None:
        fmt = target_config.location.format if target_config.location else "iceberg"
        if fmt.startswith("iceberg_"):
            self.merge(target_config, fmt.removeprefix("iceberg_"))
            return
        relation = target_config.relation
        namespace, name = relation.schema, relation.identifier
        cursor = self._conn.cursor()
        try:
            rows = cursor.sql(f"select * from {_quote(namespace)}.{_quote(name)}").to_arrow_table()
        finally:
            cursor.close()
        schema = _nullable(rows.schema)
        rows = rows.cast(schema)
        try:
            self.catalog.create_namespace_if_not_exists(namespace)
        except Exception:
            # dbt threads and parallel Cosmos tasks race to create a layer's namespace; the
            # SQL catalog's check-then-insert then raises IntegrityError for the loser.
            if not self.catalog.namespace_exists(namespace):
                raise
        try:
            table = self.catalog.load_table((namespace, name))
        except NoSuchTableError:
            table = self.catalog.create_table((namespace, name), schema=schema)
        current = table.schema().as_arrow()
        if not _compatible(current, schema):
            # A model's column changed type: the model is rebuilt in full, so the table is too.
            self.catalog.drop_table((namespace, name))
            table = self.catalog.create_table((namespace, name), schema=schema)
        reads = self._take_reads(namespace, name)
        with table.transaction() as tx:
            with tx.update_schema() as update:
                update.union_by_name(schema)
            aligned = _aligned(rows, tx.table_metadata.schema().as_arrow())
            # An overwrite of a table with no data (a model's first build) deletes nothing,
            # and pyiceberg warns about it, once per model: such a table is appended to.
            if _has_data(table):
                tx.overwrite(aligned)
            else:
                tx.append(aligned)
            if reads:
                tx.set_properties(reads)
        # The model's relation stays the DuckDB table it was built as; its models downstream
        # read the table as this commit left it.
        self._read_at[(namespace, name)] = table.metadata_location

    def merge(self, target_config: TargetConfig, strategy: str) -> None:
        """Merge an incremental model's changed rows into its Iceberg table, in one transaction.

        The rows are in the DuckDB table ``<schema>.<location.path>``. ``merge`` and
        ``delete+insert``: rows equal to the table's row of the same ``unique_key`` are dropped
        (a lookback re-reads unchanged rows: they must cost no rewrite), the table's rows whose
        key is among the others are deleted and the others appended. ``append``: every row is
        appended. The delete and the append are one Iceberg commit: a failure leaves the table
        as it was. The model's DuckDB view is then re-pointed at the new snapshot.
        """
        relation = target_config.relation
        namespace, name = relation.schema, relation.identifier
        changes = f"{_quote(namespace)}.{_quote(target_config.location.path)}"
        target = f"{_quote(namespace)}.{_quote(name)}"
        model = f"{namespace}.{name}"
        key = target_config.config.get("unique_key")
        bound = target_config.config.get("merge_range_column")
        cursor = self._conn.cursor()
        try:
            table = self.catalog.load_table((namespace, name))
            if strategy == "append":
                rows = cursor.sql(f"select * from {changes}").to_arrow_table()
                deleted: list = []
            else:
                files, _ = self._data_files(namespace, name, table.metadata_location)
                rows, deleted = _changed_rows(cursor, model, changes, target, files, key, bound)
            # The snapshots of its inputs the model read, recorded in the same commit as its
            # rows: a failed run records none, and the next reads the same files again.
            reads = {
                k: v for k, v in self._take_reads(namespace, name).items()
                if table.properties.get(k) != v
            }  # fmt: skip
            if rows.num_rows == 0 and not deleted:
                if reads:  # nothing to write, but the new input files are read
                    with table.transaction() as tx:
                        tx.set_properties(reads)
                return
            schema = _nullable(rows.schema)
            rows = rows.cast(schema)
            current = table.schema().as_arrow()
            if not _compatible(current, schema):
                raise ValueError(
                    f"incremental model {model}: a column changed type; rebuild it with "
                    "--full-refresh"
                )
            with table.transaction() as tx:
                # Only a new column changes the schema. Each read of the transaction's
                # metadata deep-copies it (every snapshot): a run that adds none reads none.
                if set(schema.names) - set(current.names):
                    with tx.update_schema() as update:
                        update.union_by_name(schema)
                    current = tx.table_metadata.schema().as_arrow()
                if deleted:
                    tx.delete(In(key, deleted))
                if rows.num_rows:
                    tx.append(_aligned(rows, current))
                if reads:
                    tx.set_properties(reads)
            self._register(cursor, namespace, name, _relations(cursor))
        finally:
            cursor.close()


def _answer(read: str, files: list[str] | None = None) -> str:
    return json.dumps({"read": read} if files is None else {"read": read, "files": files})


def _files_added(table: Table, since: int) -> list[str] | None:
    """The data files of ``table``'s current snapshot that snapshots after ``since`` added
    (an incremental append scan); ``None`` when they cannot stand for what changed: ``since``
    is not an ancestor (expired, or the table was replaced) or delete files came since."""
    current = table.current_snapshot()
    newer: set[int] = set()
    for snapshot in ancestors_of(current, table.metadata):
        if snapshot.snapshot_id == since:
            break
        newer.add(snapshot.snapshot_id)
    else:
        return None
    files: list[str] = []
    # A manifest holds entries of the snapshot that wrote it or older ones: only the manifests
    # the newer snapshots wrote can hold their files.
    for manifest in current.manifests(table.io) if current else []:
        if manifest.added_snapshot_id not in newer:
            continue
        if manifest.content != ManifestContent.DATA:
            return None
        files.extend(
            _local_path(entry.data_file.file_path)
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True)
            if entry.snapshot_id in newer
        )
    return files


def _has_data(table: Table) -> bool:
    snapshot = table.current_snapshot()
    return snapshot is not None and (snapshot.summary or {}).get("total-data-files") != "0"


def _relations(conn) -> dict[tuple[str, str], str]:
    """``{(schema, name): "VIEW" | "BASE TABLE"}`` of the connection."""
    rows = conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables"
    ).fetchall()
    return {(schema, name): kind for schema, name, kind in rows}


def _changed_rows(
    cursor,
    model: str,
    changes: str,
    target: str,
    files: list[str],
    key: str,
    bound: str | None = None,
) -> tuple[pa.Table, list]:
    """The rows of ``changes`` that are new or differ from ``target``'s row of the same key,
    and the keys of the target rows they replace. ``files`` are the target's data files.

    Two passes, so that a run costs what changed rather than the table's size: the first reads
    only the key column of the table (and each row's file), the second compares whole rows, in
    the files that hold a key of the new rows only. The rows a lookback re-reads are the last
    landings', in the last files; new events match no key and skip the second pass.

    ``bound`` (the model's ``merge_range_column``) is a column whose value a key's rows always
    share, such as an event's time when the key hashes the event: the first pass then reads
    only the table's rows within the new rows' range of it, and the Parquet reader skips every
    row group whose statistics lie outside (new events: all of the older ones).
    """
    column_types = {r[0]: r[1] for r in cursor.execute(f"describe {changes}").fetchall()}
    column_names = list(column_types)
    if key not in column_names:
        raise ValueError(f"incremental model {model}: unique_key '{key}' is not a column")
    if bound is not None and bound not in column_names:
        raise ValueError(f"incremental model {model}: merge_range_column '{bound}' is not a column")
    k = _quote(key)
    problem = cursor.execute(
        f"select {k}, count(*) from {changes} group by all having count(*) > 1 "
        f"or {k} is null limit 1"
    ).fetchone()
    if problem:
        raise ValueError(
            f"incremental model {model}: unique_key '{key}' is not unique or null in the new "
            f"rows ({key} = {problem[0]!r}, {problem[1]} rows)"
        )
    if not files:
        return cursor.sql(f"select * from {changes}").to_arrow_table(), []
    cursor.execute(
        f"create or replace temp table __olp_matched as "
        f"select t.{k} as k, t.__olp_file as file from {changes} as n "
        f"join {_read_files(files, filename='__olp_file')} as t on n.{k} = t.{k}"
        + _within_range(cursor, changes, bound, column_types.get(bound))
    )
    try:
        held = [r[0] for r in cursor.execute("select distinct file from __olp_matched").fetchall()]
        if not held:
            return cursor.sql(f"select * from {changes}").to_arrow_table(), []
        existing = {r[0] for r in cursor.execute(f"describe {target}").fetchall()}
        if set(column_names) <= existing:
            # A column of the table that these files predate is null in each of their rows.
            in_files = {
                r[0]
                for r in cursor.execute(f"describe select * from {_read_files(held)}").fetchall()
            }
            same = " and ".join(
                f"n.{_quote(c)} is not distinct from t.{_quote(c)}"
                if c in in_files
                else f"n.{_quote(c)} is null"
                for c in column_names
            )
        else:  # a new column: every row already there changes
            same = "false"
        cursor.execute(
            f"create or replace temp table __olp_same as select n.{k} as k from {changes} as n "
            f"join {_read_files(held)} as t on n.{k} = t.{k} where {same}"
        )
        rows = cursor.sql(
            f"select * from {changes} where {k} not in (select k from __olp_same)"
        ).to_arrow_table()
        replaced = cursor.execute(
            "select k from __olp_matched where k not in (select k from __olp_same)"
        ).fetchall()
        return rows, [r[0] for r in replaced]
    finally:
        cursor.execute("drop table if exists __olp_matched")
        cursor.execute("drop table if exists __olp_same")


def _within_range(cursor, changes: str, bound: str | None, kind: str | None) -> str:
    """`` where t.<bound> between <min> and <max>`` of the new rows, as typed constants (the
    Parquet reader prunes row groups on constants, not on a subquery); no condition when
    there is no bound or a new row has none (its key could be anywhere). ``kind`` is the
    bound's DuckDB type."""
    if bound is None:
        return ""
    b = _quote(bound)
    low, high, missing = cursor.execute(
        f"select min({b})::varchar, max({b})::varchar, count(*) - count({b}) from {changes}"
    ).fetchone()
    if missing or low is None:
        return ""

    def constant(text: str) -> str:
        return "cast('" + text.replace("'", "''") + f"' as {kind})"

    return f" where t.{b} between {constant(low)} and {constant(high)}"


def _aligned(rows: pa.Table, target: pa.Schema) -> pa.Table:
    """``rows`` in the column order and types of ``target`` (missing columns null)."""
    columns = [
        rows.column(f.name).cast(f.type)
        if f.name in rows.column_names
        else pa.nulls(rows.num_rows, f.type)
        for f in target
    ]
    return pa.Table.from_arrays(columns, schema=target)


def _compatible(current: pa.Schema, new: pa.Schema) -> bool:
    """Can ``new`` be written into a table of schema ``current`` after a union by name?"""
    existing = {f.name: f.type for f in current}
    return all(
        f.name not in existing or existing[f.name] == f.type or _widens(existing[f.name], f.type)
        for f in new
    )


def _widens(old: pa.DataType, new: pa.DataType) -> bool:
    def is_str(t: pa.DataType) -> bool:
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    if is_str(old) and is_str(new):
        return True
    if pa.types.is_timestamp(old) and pa.types.is_timestamp(new):
        # Zone names differ between engines (UTC, Etc/UTC); only "has a zone" matters.
        return (old.tz is None) == (new.tz is None)
    if pa.types.is_integer(old) and pa.types.is_integer(new):
        return old.bit_width <= new.bit_width
    return (
        pa.types.is_floating(old) and pa.types.is_floating(new) and old.bit_width <= new.bit_width
    )
