"""Where the incidents are read from: an engine (DuckDB in process, or a SQL server) and a table.

DuckDB scans Parquet files and Arrow tables where they lie (the store's shared,
memory-mapped copy of a version is scanned in place, not copied); a PostgreSQL
server (or any engine Ibis reaches, such as Trino or Spark, once its Ibis extra is
installed) holds the rows in one of its tables. The same expressions run on both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import sqlglot
from ibis.common.exceptions import TableNotFound

from ilp_core.data import schema
from ilp_core.errors import IlpInputError

#: Environment variable naming the engine of :func:`connect_from_env` (unset: DuckDB).
QUERY_URL_ENV: Final[str] = "ILP_QUERY_URL"

#: Columns the aggregations read; a table must have them.
QUERY_COLUMNS: Final[tuple[str, ...]] = (
    "occurred_at",
    "precision",
    "offence",
    "lat",
    "lon",
    "district",
)

_SCHEME = re.compile(r"^([a-z][a-z0-9]*)(\+[a-z0-9_]+)?://", re.IGNORECASE)
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True, eq=False)
class Source:
    """Incidents in an engine: the connection, the table expression and the engine's name.

    Made by :func:`from_parquet`, :func:`from_arrow` or :func:`from_table`; every
    aggregation of :mod:`ilp_core.data.query` takes one.
    """

    con: ibis.BaseBackend
    table: ir.Table
    engine: str


def connect(url: str | None = None) -> ibis.BaseBackend:
    """An engine: DuckDB in this process (``None`` or ``"duckdb://"``) or the server of ``url``.

    ``url`` is ``postgresql://user:password@host:5432/database`` for PostgreSQL (a
    SQLAlchemy-style ``postgresql+psycopg://`` works too), or any URL
    ``ibis.connect`` reads for an engine whose Ibis extra is installed.

    Raises ``query.bad_url`` for a text that is not a URL and
    ``query.engine_unavailable`` when the engine cannot be reached.
    """
    if url is None:
        return ibis.duckdb.connect()
    match = _SCHEME.match(str(url))
    if match is None:
        raise IlpInputError("query.bad_url", value=_safe_url(str(url)))
    scheme = match.group(1).lower()
    if scheme == "postgresql":
        scheme = "postgres"
    resource = f"{scheme}://{str(url)[match.end() :]}"
    try:
        return ibis.connect(resource)
    except Exception as exc:  # each driver has its own errors: all become one message
        raise IlpInputError(
            "query.engine_unavailable",
            engine=scheme,
            url=_safe_url(str(url)),
            reason=type(exc).__name__,
        ) from exc


def connect_from_env() -> ibis.BaseBackend:
    """:func:`connect` to the URL in ``ILP_QUERY_URL`` (unset or empty: DuckDB in process)."""
    return connect(os.environ.get(QUERY_URL_ENV) or None)


def from_parquet(
    paths: str | Path | Sequence[str | Path], con: ibis.BaseBackend | None = None
) -> Source:
    """The incidents of one or more Parquet files, scanned by DuckDB where they lie.

    Filters on period, offence and district are pushed into the scan (row groups
    whose statistics exclude them are skipped).
    """
    con = ibis.duckdb.connect() if con is None else con
    files = [str(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    missing = [f for f in files if not Path(f).is_file()]
    if not files or missing:
        raise IlpInputError("query.no_file", path=(missing or ["-"])[0])
    table = con.read_parquet(files)
    return _source(con, table)


def from_arrow(table: pa.Table, con: ibis.BaseBackend | None = None) -> Source:
    """An Arrow table (such as the store's memory-mapped copy), scanned in place by DuckDB."""
    con = ibis.duckdb.connect() if con is None else con
    return _source(con, ibis.memtable(table))


def from_table(con: ibis.BaseBackend, name: str) -> Source:
    """A table already in the engine of ``con`` (loaded with :func:`write_table`, or by an ETL)."""
    _check_name(name)
    try:
        table = con.table(name)
    except TableNotFound as exc:
        raise IlpInputError("query.no_table", name=name) from exc
    return _source(con, table)


def write_table(con: ibis.BaseBackend, name: str, incidents: pd.DataFrame | pa.Table) -> Source:
    """Load canonical incidents into a table of the engine (replacing it) and return it as a source.

    Category columns become text and times keep microseconds, the types every SQL
    engine has. For a server this is the one copy every app process then queries.
    """
    _check_name(name)
    table = (
        incidents
        if isinstance(incidents, pa.Table)
        else pa.Table.from_pandas(incidents, preserve_index=False)
    )
    missing = [c for c in QUERY_COLUMNS if c not in table.column_names]
    if missing:
        raise IlpInputError("query.not_incidents", columns=missing, missing=", ".join(missing))
    table = _plain_types(
        table.select([c for c in schema.INCIDENT_COLUMNS if c in table.column_names])
    )
    # dropped first, then created: Ibis 12's ``overwrite=True`` builds its DROP with
    # sqlglot's old ``Drop(this=...)`` and sqlglot 30 renders "DROP TABLE IF EXISTS" alone
    quoted = sqlglot.exp.to_identifier(name, quoted=True).sql(dialect=con.dialect)
    con.raw_sql(f"DROP TABLE IF EXISTS {quoted}")
    con.create_table(name, obj=table)
    return from_table(con, name)


def _source(con: ibis.BaseBackend, table: ir.Table) -> Source:
    missing = [c for c in QUERY_COLUMNS if c not in table.columns]
    if missing:
        raise IlpInputError("query.not_incidents", columns=missing, missing=", ".join(missing))
    return Source(con=con, table=table, engine=str(con.name))


def _plain_types(table: pa.Table) -> pa.Table:
    """Dictionary and all-empty columns as text, times in microseconds (what SQL engines store)."""
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_dictionary(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            kind = pa.string()
        elif pa.types.is_timestamp(kind):
            kind = pa.timestamp("us", tz=kind.tz)
        fields.append(pa.field(field.name, kind))
    return table.cast(pa.schema(fields), safe=False)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _TABLE_NAME.match(name):
        raise IlpInputError("query.bad_table_name", name=str(name)[:80])


def _safe_url(url: str) -> str:
    """A URL without its password, for a message."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)[:200]
