"""A Trino coordinator stand-in over real HTTPS, for the maintenance DAG's production path.

No Trino server can run here, so this speaks Trino's client protocol (v1) well enough for
the real ``trino`` client behind Airflow's ``TrinoHook``:

* ``POST /v1/statement`` with the SQL as body answers ``QUEUED`` with a ``nextUri``; ``GET``
  on it answers the result (``columns``, ``data``, ``updateType``) or the query's ``error``
  (``errorName``, ``errorType``, ``message``), as a coordinator does.
* Password authentication as a coordinator behind LDAP: HTTPS only (a self-signed
  certificate the test trusts), HTTP Basic credentials checked on every request, 401 with
  ``WWW-Authenticate`` otherwise; ``X-Trino-User`` is required.
* The Iceberg statements maintenance issues, against an in-memory model of tables (data file
  sizes, snapshots with their commit times, orphan files with their ages): ``SHOW TABLES``,
  the ``$files`` and ``$snapshots`` metadata tables, ``ALTER TABLE ... EXECUTE optimize /
  expire_snapshots / remove_orphan_files``. ``expire_snapshots`` and ``remove_orphan_files``
  refuse a threshold below the system minimum (7 days by default), as Trino does.
* Failure modes: ``fail_next[<statement kind>]`` queues Trino errors (e.g. a lost Iceberg
  commit, ``ICEBERG_COMMIT_ERROR``) for the next such statements; ``unavailable`` answers the
  next N requests with 503 (the client retries them).

Every statement received is recorded in ``state.statements``, in order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import ssl
import tempfile
import threading
from base64 import b64decode
from dataclasses import dataclass, field
from pathlib import Path

from ol_platform.simulators.http import BackgroundServer, JSONHandler

BIGINT = {"rawType": "bigint", "arguments": []}
VARCHAR = {"rawType": "varchar", "arguments": [{"kind": "LONG", "value": 2147483647}]}
TIMESTAMPTZ = {"rawType": "timestamp with time zone", "arguments": [{"kind": "LONG", "value": 3}]}

NAME = r'"((?:[^"]|"")+)"'
TABLE = rf"{NAME}\.{NAME}\.{NAME}"
STATEMENTS = {
    "schemata": re.compile(
        rf"SELECT count\(\*\) FROM {NAME}\.information_schema\.schemata "
        r"WHERE schema_name = '((?:[^']|'')*)'$"
    ),
    "show_tables": re.compile(rf"SHOW TABLES FROM {NAME}\.{NAME}$"),
    "files": re.compile(
        r"SELECT count\(\*\), coalesce\(sum\(file_size_in_bytes\), 0\), "
        rf"count_if\(file_size_in_bytes < (\d+)\) "
        rf"FROM {NAME}\.{NAME}\.\"((?:[^\"]|\"\")+)\$files\"$"
    ),
    "snapshots": re.compile(
        rf"SELECT snapshot_id, committed_at FROM {NAME}\.{NAME}\.\"((?:[^\"]|\"\")+)\$snapshots\" "
        r"ORDER BY committed_at DESC$"
    ),
    "optimize": re.compile(
        rf"ALTER TABLE {TABLE} EXECUTE optimize\(file_size_threshold => '(\d+)(B|kB|MB|GB)'\)$"
    ),
    "expire_snapshots": re.compile(
        rf"ALTER TABLE {TABLE} EXECUTE expire_snapshots\(retention_threshold => '(\d+)([smhd])'\)$"
    ),
    "remove_orphan_files": re.compile(
        rf"ALTER TABLE {TABLE} EXECUTE "
        r"remove_orphan_files\(retention_threshold => '(\d+)([smhd])'\)$"
    ),
}
UNITS = {"B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class QueryError(Exception):
    def __init__(self, name: str, message: str, error_type: str = "USER_ERROR") -> None:
        super().__init__(message)
        self.name, self.error_type = name, error_type


@dataclass
class SimTable:
    files: list[int]  # data file sizes in bytes
    snapshots: list[tuple[int, dt.datetime]]  # (id, committed_at), oldest first
    orphans: list[dt.datetime] = field(default_factory=list)  # orphan files' modification times


@dataclass
class TrinoState:
    users: dict[str, str]
    catalog: str = "iceberg"
    tables: dict[tuple[str, str], SimTable] = field(default_factory=dict)
    min_retention: dt.timedelta = dt.timedelta(days=7)
    statements: list[str] = field(default_factory=list)
    fail_next: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    unavailable: int = 0
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def add_table(
        self, schema: str, table: str, files: list[int], snapshot_ages: list[dt.timedelta]
    ) -> SimTable:
        now = self.now()
        snapshots = [(next(self.ids), now - age) for age in sorted(snapshot_ages, reverse=True)]
        self.tables[(schema, table)] = sim = SimTable(list(files), snapshots)
        return sim

    def execute(self, sql: str) -> tuple[list[dict], list[list], str | None]:
        """(columns, rows, update type) of ``sql``, or :class:`QueryError`."""
        for kind, pattern in STATEMENTS.items():
            match = pattern.match(sql)
            if match:
                queued = self.fail_next.get(kind)
                if queued:
                    name, message = queued.pop(0)
                    raise QueryError(
                        name, message, "EXTERNAL" if "ICEBERG" in name else "USER_ERROR"
                    )
                return getattr(self, f"_{kind}")(*(g.replace('""', '"') for g in match.groups()))
        raise QueryError("NOT_SUPPORTED", f"the stand-in does not support this statement: {sql}")

    def _catalog(self, catalog: str) -> None:
        if catalog != self.catalog:
            raise QueryError("CATALOG_NOT_FOUND", f"Catalog '{catalog}' not found")

    def _table(self, catalog: str, schema: str, table: str) -> SimTable:
        self._catalog(catalog)
        try:
            return self.tables[(schema, table)]
        except KeyError:
            raise QueryError(
                "TABLE_NOT_FOUND", f"Table '{catalog}.{schema}.{table}' does not exist"
            ) from None

    def _check_retention(self, amount: str, unit: str, procedure: str) -> dt.timedelta:
        threshold = dt.timedelta(seconds=int(amount) * SECONDS[unit])
        if threshold < self.min_retention:
            raise QueryError(
                "INVALID_PROCEDURE_ARGUMENT",
                f"Retention specified ({threshold.total_seconds() / 86400:.2f}d) is shorter "
                f"than the minimum retention configured in the system "
                f"({self.min_retention.total_seconds() / 86400:.2f}d). Minimum retention can be "
                f"changed with iceberg.{procedure}.min-retention configuration property",
            )
        return threshold

    def _schemata(self, catalog: str, schema: str):
        self._catalog(catalog)
        found = any(s == schema for s, _ in self.tables)
        return [{"name": "_col0", "type": "bigint", "typeSignature": BIGINT}], [[int(found)]], None

    def _show_tables(self, catalog: str, schema: str):
        self._catalog(catalog)
        names = sorted(t for s, t in self.tables if s == schema)
        return (
            [{"name": "Table", "type": "varchar", "typeSignature": VARCHAR}],
            [[n] for n in names],
            None,
        )

    def _files(self, small: str, catalog: str, schema: str, table: str):
        sim = self._table(catalog, schema, table)
        columns = [
            {"name": f"_col{i}", "type": "bigint", "typeSignature": BIGINT} for i in range(3)
        ]
        return (
            columns,
            [[len(sim.files), sum(sim.files), sum(f < int(small) for f in sim.files)]],
            None,
        )

    def _snapshots(self, catalog: str, schema: str, table: str):
        sim = self._table(catalog, schema, table)
        columns = [
            {"name": "snapshot_id", "type": "bigint", "typeSignature": BIGINT},
            {
                "name": "committed_at",
                "type": "timestamp(3) with time zone",
                "typeSignature": TIMESTAMPTZ,
            },
        ]
        rows = [
            [sid, at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d} UTC"]
            for sid, at in reversed(sim.snapshots)
        ]
        return columns, rows, None

    def _optimize(self, catalog: str, schema: str, table: str, amount: str, unit: str):
        sim = self._table(catalog, schema, table)
        threshold = int(amount) * UNITS[unit]
        small = [f for f in sim.files if f < threshold]
        if len(small) > 1:
            sim.files = [f for f in sim.files if f >= threshold] + [sum(small)]
            sim.snapshots.append((next(self.ids), self.now()))
        return [], [], "ALTER TABLE EXECUTE"

    def _expire_snapshots(self, catalog: str, schema: str, table: str, amount: str, unit: str):
        sim = self._table(catalog, schema, table)
        threshold = self._check_retention(amount, unit, "expire-snapshots")
        cutoff = self.now() - threshold
        current = sim.snapshots[-1] if sim.snapshots else None
        sim.snapshots = [s for s in sim.snapshots if s[1] >= cutoff or s == current]
        return [], [], "ALTER TABLE EXECUTE"

    def _remove_orphan_files(self, catalog: str, schema: str, table: str, amount: str, unit: str):
        sim = self._table(catalog, schema, table)
        threshold = self._check_retention(amount, unit, "remove-orphan-files")
        cutoff = self.now() - threshold
        deleted = [o for o in sim.orphans if o < cutoff]
        sim.orphans = [o for o in sim.orphans if o >= cutoff]
        columns = [
            {"name": "metric_name", "type": "varchar", "typeSignature": VARCHAR},
            {"name": "metric_value", "type": "bigint", "typeSignature": BIGINT},
        ]
        rows = [
            ["processed_manifests_count", len(sim.snapshots)],
            ["active_files_count", len(sim.files)],
            ["scanned_files_count", len(sim.files) + len(deleted) + len(sim.orphans)],
            ["deleted_files_count", len(deleted)],
        ]
        return columns, rows, "ALTER TABLE EXECUTE"


def _handler(state: TrinoState) -> type[JSONHandler]:
    results: dict[str, dict] = {}

    class Handler(JSONHandler):
        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            user = self.headers.get("X-Trino-User")
            try:
                login, _, password = (
                    b64decode(header.removeprefix("Basic ")).decode().partition(":")
                )
            except ValueError:
                login, password = "", ""
            if not header.startswith("Basic ") or state.users.get(login) != password:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="Trino"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False
            if not user:
                self._plain(400, "Error 400 Bad Request: User must be set")
                return False
            return True

        def _plain(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _unavailable(self) -> bool:
            with state.lock:
                if state.unavailable > 0:
                    state.unavailable -= 1
                    self._plain(503, "Service Unavailable")
                    return True
            return False

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            sql = self.body().decode()
            if self.path_only != "/v1/statement":
                return self._plain(404, "Not Found")
            if self._unavailable() or not self._authorised():
                return None
            with state.lock:
                state.statements.append(sql)
                query_id = f"20261126_{next(state.ids):06d}_sim"
                try:
                    columns, rows, update = state.execute(sql)
                    results[query_id] = {"columns": columns, "data": rows, "updateType": update}
                except QueryError as exc:
                    results[query_id] = {
                        "error": {
                            "message": str(exc),
                            "errorCode": 1,
                            "errorName": exc.name,
                            "errorType": exc.error_type,
                            "failureInfo": {
                                "type": "io.trino.spi.TrinoException",
                                "message": str(exc),
                            },
                        }
                    }
            host = f"https://{self.headers.get('Host')}"
            self.send_json(
                200,
                {
                    "id": query_id,
                    "infoUri": f"{host}/ui/query.html?{query_id}",
                    "nextUri": f"{host}/v1/statement/queued/{query_id}/1",
                    "stats": {"state": "QUEUED", "queued": True, "scheduled": False},
                },
            )

        def do_GET(self) -> None:  # noqa: N802
            match = re.fullmatch(r"/v1/statement/queued/([^/]+)/1", self.path_only)
            if not match:
                return self._plain(404, "Not Found")
            if self._unavailable() or not self._authorised():
                return None
            query_id = match.group(1)
            result = results.get(query_id)
            if result is None:
                return self._plain(404, "Query not found")
            host = f"https://{self.headers.get('Host')}"
            state_name = "FAILED" if "error" in result else "FINISHED"
            body = {
                "id": query_id,
                "infoUri": f"{host}/ui/query.html?{query_id}",
                "stats": {"state": state_name, "queued": False, "scheduled": True},
                "warnings": [],
            }
            body.update({k: v for k, v in result.items() if v is not None and v != []})
            if result.get("columns"):
                body["data"] = result["data"]
            self.send_json(200, body)

        def do_DELETE(self) -> None:  # noqa: N802 - the client cancels through DELETE
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to ``directory``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "trino-sim.pem", directory / "trino-sim.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TrinoSimulator(BackgroundServer):
    """The stand-in on 127.0.0.1 over HTTPS; ``certificate`` is what clients must trust."""

    def __init__(self, state: TrinoState, directory: Path | None = None) -> None:
        super().__init__(_handler(state))
        self.state = state
        directory = directory or Path(tempfile.mkdtemp(prefix="trino-sim-"))
        self.certificate, key = self_signed_certificate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]
