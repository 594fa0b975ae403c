"""The portable query layer: counts per district, period and grid cell, run where the rows are.

A national archive (tens of millions of incidents, or hundreds of millions beyond
one server) is not copied into every session's memory to be counted. The counts
the maps and charts need are written once as Ibis expressions and run by the
engine that holds the rows:

* **DuckDB** in the app's process (the default): it scans the dataset's Parquet
  file(s) or the store's shared, memory-mapped Arrow copy in place, with the
  period, offence and district filters pushed into the scan;
* **PostgreSQL** (or another engine Ibis reaches, such as Trino or Spark, once its
  Ibis extra is installed) when a URL is configured (``ILP_QUERY_URL``): the
  same expressions are compiled to its SQL.

Only the counts come back: one row per district, period or cell. The results are
the same on every engine (``tests/test_query.py`` runs them on DuckDB and on
PostgreSQL and compares both with a plain pandas ``groupby``)::

    source = from_parquet("incidents.parquet")              # or from_arrow(table)
    f = Filters(start=dt.date(2025, 1, 1), offences=("Burglary",))
    district_counts(source, f).table                         # district, count
    period_counts(source, "month", f, by=("offence",)).table # period_start, offence, count
    grid = study_grid(source, cell_size=250)                 # or the page's own grid
    grid_counts(source, grid, f).table                       # cell_id, row, col, count

    con = connect("postgresql://ilp@db:5432/ilp")            # a server instead
    source = write_table(con, "incidents", incidents)        # once; later from_table()

Keys follow the project's conventions: weeks run Monday to Sunday (ISO 8601) as
in :func:`ilp_core.analysis.temporal.period_counts`; a cell is the one
:meth:`ilp_core.data.geo.Grid.locate` gives (``floor((x - x0) / cell_size)``, the
point projected to the grid's UTM zone, in the engine). Every result says how
many incidents passed the filters (``matched``) and how many got no key
(``uncounted``: no district, no usable date, no coordinates or off the grid).
"""

from ilp_core.data.query._aggregate import (
    BY_COLUMNS,
    FREQS,
    By,
    Filters,
    Freq,
    QueryCounts,
    district_counts,
    filtered,
    grid_counts,
    period_counts,
    study_grid,
)
from ilp_core.data.query._sources import (
    QUERY_COLUMNS,
    QUERY_URL_ENV,
    Source,
    connect,
    connect_from_env,
    from_arrow,
    from_parquet,
    from_table,
    write_table,
)

__all__ = [
    "BY_COLUMNS",
    "FREQS",
    "QUERY_COLUMNS",
    "QUERY_URL_ENV",
    "By",
    "Filters",
    "Freq",
    "QueryCounts",
    "Source",
    "connect",
    "connect_from_env",
    "district_counts",
    "filtered",
    "from_arrow",
    "from_parquet",
    "from_table",
    "grid_counts",
    "period_counts",
    "study_grid",
    "write_table",
]
