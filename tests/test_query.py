"""The portable query layer: the same counts on DuckDB and on PostgreSQL, and both as pandas says.

Every aggregation (district, day/week/month, grid cell; with and without the period,
offence and district filters; split by offence) runs through Ibis on DuckDB (over a
Parquet file and over an Arrow table) and on a throw-away PostgreSQL server
(``tests/pg_server.py``), and each result is compared with a plain pandas
``groupby`` written here, on the sample region and on hand-made edge cases (an
empty period, one row, Cyrillic district names, rows without coordinates, dates or
districts, points off the grid). The grid reference places points with PROJ
(:func:`ilp_core.data.geo.project`) and :meth:`Grid.locate`, the project's own
convention, and :func:`ilp_core.analysis.hotspots.grid_counts` on the sample.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import pytest
from store_fixtures import postgres  # noqa: F401 - the session's throw-away server

from ilp_core.analysis import hotspots
from ilp_core.data import geo, query
from ilp_core.data.dataset import load_sample
from ilp_core.data.schema import example_incidents
from ilp_core.errors import IlpInputError

ENGINES = ("duckdb_parquet", "duckdb_arrow", "postgres")


# -- the reference: plain pandas ------------------------------------------------------


def _mask(inc: pd.DataFrame, f: query.Filters) -> np.ndarray:
    keep = np.ones(len(inc), dtype=bool)
    when = inc["occurred_at"]
    if f.start is not None:
        keep &= (when >= pd.Timestamp(f.start)).to_numpy()
    if f.end is not None:
        keep &= (when < pd.Timestamp(f.end) + pd.Timedelta(days=1)).to_numpy()
    if f.offences:
        keep &= inc["offence"].isin(f.offences).to_numpy()
    if f.districts:
        keep &= inc["district"].isin(f.districts).to_numpy()
    return keep


def _grouped(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if frame.empty:
        out = pd.DataFrame({k: frame[k] for k in keys})
        out["count"] = np.zeros(0, dtype=np.int64)
        return out
    out = frame.groupby(keys, dropna=True, observed=True).size().rename("count").reset_index()
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def ref_districts(inc: pd.DataFrame, f: query.Filters, by: tuple[str, ...] = ()) -> pd.DataFrame:
    sub = inc.loc[_mask(inc, f), ["district", *by]].astype(object)
    return _grouped(sub, ["district", *by])


def ref_periods(
    inc: pd.DataFrame, freq: str, f: query.Filters, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    sub = inc.loc[_mask(inc, f)]
    day = sub["occurred_at"].dt.normalize()
    if freq == "week":
        start = day - pd.to_timedelta(day.dt.day_of_week, unit="D")  # Monday
    elif freq == "month":
        start = day - pd.to_timedelta(day.dt.day - 1, unit="D")
    else:
        start = day
    if freq != "month":
        start = start.where(sub["precision"].astype(object) != "month")
    frame = pd.DataFrame({"period_start": start, **{b: sub[b].astype(object) for b in by}})
    return _grouped(frame, ["period_start", *by])


def ref_grid(
    inc: pd.DataFrame, grid: geo.Grid, f: query.Filters, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    sub = inc.loc[_mask(inc, f)].reset_index(drop=True)
    frame = pd.DataFrame({"row": [], "col": [], **{b: [] for b in by}})
    if sub[["lat", "lon"]].notna().all(axis=1).any():
        proj = geo.project(sub, grid.crs)
        row, col, inside = grid.locate(proj.x, proj.y)
        kept = proj.index[inside]
        frame = pd.DataFrame(
            {"row": row[inside], "col": col[inside]}
            | {b: sub[b].astype(object).to_numpy()[kept] for b in by}
        )
    out = _grouped(frame, ["row", "col", *by])
    out[["row", "col"]] = out[["row", "col"]].astype(np.int64)
    out.insert(0, "cell_id", out["row"] * grid.nx + out["col"])
    return out


def _same(result: query.QueryCounts, expected: pd.DataFrame) -> None:
    got = result.table
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in expected.columns:
        g, e = got[column].to_numpy(), expected[column].to_numpy()
        if column == "period_start":
            g, e = g.astype("datetime64[ns]"), e.astype("datetime64[ns]")
        elif column in ("count", "row", "col", "cell_id"):
            g, e = g.astype(np.int64), e.astype(np.int64)
        else:
            g, e = g.astype(str), e.astype(str)
        np.testing.assert_array_equal(g, e, err_msg=column)
    assert result.counted == int(expected["count"].sum())


# -- the sources: one table, three engines --------------------------------------------


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_sample().incidents


def edge_incidents() -> pd.DataFrame:
    """Ten hand-made rows: Cyrillic names, gaps in every column, one point off the grid."""
    return example_incidents(
        [
            "Кража",
            "Кража",
            "Robbery",
            "Кража",
            "Robbery",
            "Robbery",
            "Кража",
            "Robbery",
            "Кража",
            "Кража",
        ],  # fmt: skip
        occurred_at=[
            "2024-01-01 09:00",  # Monday
            "2024-01-07 23:59",  # Sunday: the same ISO week
            "2024-01-08 00:00",  # next Monday
            "2024-01-31 12:00",
            "2024-02-01 00:00",
            None,  # no date
            "2024-02-15 00:00",  # known only to the month
            "2024-02-29 18:00",
            "2024-03-01 00:00",
            "2023-12-31 23:59",  # Sunday: week of 2023-12-25
        ],
        precision=[
            "minute",
            "minute",
            "minute",
            "minute",
            "day",
            "day",
            "month",
            "minute",
            "day",
            "minute",
        ],  # fmt: skip
        lat=[55.751, 55.752, np.nan, 55.760, 55.751, 55.753, np.nan, 55.80, 55.751, 55.7512],
        lon=[37.618, 37.619, np.nan, 37.620, 37.621, 37.618, 37.6, 37.70, 37.6183, 37.6181],
        district=[
            "Ёлкино",
            "Центральный",
            "Центральный",
            None,
            "Arbat",
            "Ёлкино",
            "Arbat",
            "Центральный",
            "Ёлкино",
            "Zamoskvorechye",
        ],  # fmt: skip
    )


def edge_grid() -> geo.Grid:
    """A 100 m grid over the Moscow points, too small for the one at (55.80, 37.70)."""
    crs = pyproj.CRS.from_epsg(32637)
    x, y = pyproj.Transformer.from_crs(geo.WGS84, crs, always_xy=True).transform(37.618, 55.751)
    return geo.make_grid((x - 150, y - 150, x + 250, y + 1200), crs, 100)


def _sources(
    inc: pd.DataFrame, name: str, tmp_path_factory: pytest.TempPathFactory, pg_con
) -> dict[str, query.Source]:
    table = pa.Table.from_pandas(inc, preserve_index=False)
    path = tmp_path_factory.mktemp("parquet") / f"{name}.parquet"
    import pyarrow.parquet as pq

    pq.write_table(table, path)
    return {
        "duckdb_parquet": query.from_parquet(path),
        "duckdb_arrow": query.from_arrow(table),
        "postgres": query.write_table(pg_con, name, inc),
    }


@pytest.fixture(scope="module")
def pg_con(postgres):  # noqa: F811
    url = postgres.create_database("ilp_query")
    con = query.connect(url)
    yield con
    con.disconnect()


@pytest.fixture(scope="module")
def sample_sources(sample, tmp_path_factory, pg_con):
    return _sources(sample, "sample", tmp_path_factory, pg_con)


@pytest.fixture(scope="module")
def edge_sources(tmp_path_factory, pg_con):
    return _sources(edge_incidents(), "edge", tmp_path_factory, pg_con)


FILTERS = {
    "all": query.Filters(),
    "period": query.Filters(start=dt.date(2024, 11, 6), end=dt.date(2025, 2, 20)),
    "combined": query.Filters(
        start=dt.date(2025, 1, 1),
        offences=("Residential burglary", "Robbery"),
        districts=("Old Town", "Harbour", "Castle Hill"),
    ),
    "empty_period": query.Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31)),
}


# -- the sample region ----------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(FILTERS))
def test_sample_districts_and_periods_equal_pandas(sample, sample_sources, engine, name):
    f, source = FILTERS[name], sample_sources[engine]
    _same(query.district_counts(source, f), ref_districts(sample, f))
    _same(query.district_counts(source, f, by=("offence",)), ref_districts(sample, f, ("offence",)))
    for freq in query.FREQS:
        res = query.period_counts(source, freq, f)
        _same(res, ref_periods(sample, freq, f))
        assert res.matched == int(_mask(sample, f).sum())
    _same(
        query.period_counts(source, "month", f, by=("offence", "district")),
        ref_periods(sample, "month", f, ("offence", "district")),
    )


def test_sample_filters_are_not_trivial(sample):
    sizes = {name: int(_mask(sample, f).sum()) for name, f in FILTERS.items()}
    assert sizes["all"] == len(sample) > sizes["period"] > sizes["combined"] > 0
    assert sizes["empty_period"] == 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["all", "combined", "empty_period"])
def test_sample_grid_equals_pandas_and_the_hotspots_grid(sample, sample_sources, engine, name):
    f, source = FILTERS[name], sample_sources[engine]
    hot = hotspots.grid_counts(sample)  # the project's grid of the whole sample
    res = query.grid_counts(source, hot.grid, f)
    _same(res, ref_grid(sample, hot.grid, f))
    if name == "all":  # the very counts of the Where page's map
        nonzero = hot.table.loc[hot.table["count"] > 0]
        np.testing.assert_array_equal(res.table["cell_id"], nonzero["cell_id"])
        np.testing.assert_array_equal(res.table["count"], nonzero["count"])
        assert res.counted == hot.n_counted
    split = query.grid_counts(source, hot.grid, f, by=("offence",))
    _same(split, ref_grid(sample, hot.grid, f, ("offence",)))


@pytest.mark.parametrize("engine", ENGINES)
def test_study_grid_is_the_hotspots_grid(sample, sample_sources, engine):
    for cell_size in (None, 250.0):
        expected = hotspots.grid_counts(sample, cell_size=cell_size).grid
        got = query.study_grid(sample_sources[engine], cell_size)
        assert got.crs == expected.crs
        assert (got.x0, got.y0, got.cell_size, got.nx, got.ny) == (
            expected.x0,
            expected.y0,
            expected.cell_size,
            expected.nx,
            expected.ny,
        )


def test_engines_give_identical_tables(sample_sources):
    f = FILTERS["combined"]
    grid = query.study_grid(sample_sources["duckdb_arrow"], 400.0)
    results = {
        engine: (
            query.district_counts(source, f, by=("offence",)).table,
            query.period_counts(source, "week", f, by=("district",)).table,
            query.grid_counts(source, grid, f).table,
        )
        for engine, source in sample_sources.items()
    }
    first = results.pop("duckdb_arrow")
    for engine, tables in results.items():
        for a, b in zip(first, tables, strict=True):
            pd.testing.assert_frame_equal(a, b, obj=engine)
    assert sample_sources["postgres"].engine == "postgres"
    assert sample_sources["duckdb_parquet"].engine == "duckdb"


# -- edge cases -----------------------------------------------------------------------

EDGE_FILTERS = {
    "all": query.Filters(),
    "one_row": query.Filters(start=dt.date(2024, 2, 29), end=dt.date(2024, 2, 29)),
    "cyrillic": query.Filters(offences=("Кража",), districts=("Ёлкино", "Центральный")),
    "empty_period": query.Filters(start=dt.date(2024, 1, 2), end=dt.date(2024, 1, 6)),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(EDGE_FILTERS))
def test_edge_cases_equal_pandas(edge_sources, engine, name):
    inc, f, source = edge_incidents(), EDGE_FILTERS[name], edge_sources[engine]
    grid = edge_grid()
    _same(query.district_counts(source, f), ref_districts(inc, f))
    for freq in query.FREQS:
        _same(
            query.period_counts(source, freq, f, by=("offence",)),
            ref_periods(inc, freq, f, ("offence",)),
        )
    _same(
        query.grid_counts(source, grid, f, by=("district",)), ref_grid(inc, grid, f, ("district",))
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_edge_counts_worked_by_hand(edge_sources, engine):
    source = edge_sources[engine]
    d = query.district_counts(source)
    # code-point order: Latin, then Ё (U+0401) before Ц (U+0426); one row has no district
    assert d.table.to_dict("list") == {
        "district": ["Arbat", "Zamoskvorechye", "Ёлкино", "Центральный"],
        "count": [2, 1, 3, 3],
    }
    assert (d.matched, d.counted, d.uncounted) == (10, 9, 1)
    w = query.period_counts(source, "week")
    # no date (1 row) and month precision (1 row) have no week
    assert w.table["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-12-25", "2024-01-01", "2024-01-08", "2024-01-29", "2024-02-26",
    ]  # fmt: skip
    assert w.table["count"].tolist() == [1, 2, 1, 2, 2]
    assert w.uncounted == 2
    m = query.period_counts(source, "month")
    # Dec 2023: 1; Jan: 01-01, 01-07, 01-08, 01-31; Feb: 02-01, 02-15 (month), 02-29; Mar: 1
    assert m.table["count"].tolist() == [1, 4, 3, 1] and m.uncounted == 1
    g = query.grid_counts(source, edge_grid())
    # 8 rows have both coordinates; (55.80, 37.70) lies off the small grid
    assert g.counted == 7 and g.uncounted == 3
    one = query.district_counts(source, EDGE_FILTERS["one_row"])
    assert one.table.to_dict("list") == {"district": ["Центральный"], "count": [1]}
    empty = query.grid_counts(source, edge_grid(), EDGE_FILTERS["empty_period"])
    assert empty.table.empty and list(empty.table.columns) == ["cell_id", "row", "col", "count"]
    assert empty.matched == 0


def test_utm_in_the_engine_matches_proj_to_the_nanometre():
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-79.5, 83.5, 20_000), rng.uniform(-33.0, -27.0, 20_000)
    con = ibis.duckdb.connect()
    points = ibis.memtable(pa.table({"lat": lat, "lon": lon}))
    from ilp_core.data.query import _utm

    for zone, south in ((25, False), (25, True)):
        out = con.execute(_utm.with_utm_xy(points, zone, south, "ex", "ey"))
        crs = pyproj.CRS.from_epsg((32700 if south else 32600) + zone)
        px, py = pyproj.Transformer.from_crs(geo.WGS84, crs, always_xy=True).transform(
            out["lon"].to_numpy(), out["lat"].to_numpy()
        )
        assert np.abs(out["ex"].to_numpy() - px).max() < 1e-7
        assert np.abs(out["ey"].to_numpy() - py).max() < 1e-7


# -- bad input ------------------------------------------------------------------------


def test_bad_input_gets_a_message(tmp_path, sample_sources):
    source = sample_sources["duckdb_arrow"]
    cases = {
        "query.bad_period": lambda: query.Filters(
            start=dt.date(2024, 2, 1), end=dt.date(2024, 1, 1)
        ),
        "checks.date": lambda: query.Filters(start="yesterday"),
        "query.bad_names": lambda: query.Filters(offences="Robbery"),
        "checks.option": lambda: query.period_counts(source, "year"),
        "query.bad_filters": lambda: query.district_counts(source, {"start": "2024-01-01"}),
        "query.grid_not_utm": lambda: query.grid_counts(
            source, geo.Grid(0.0, 0.0, 100.0, 3, 3, pyproj.CRS.from_epsg(3857))
        ),
        "query.bad_grid": lambda: query.grid_counts(source, (0, 0, 100)),
        "query.no_file": lambda: query.from_parquet(tmp_path / "missing.parquet"),
        "query.not_incidents": lambda: query.from_arrow(pa.table({"a": [1]})),
        "query.bad_url": lambda: query.connect("not a url"),
        "query.engine_unavailable": lambda: query.connect("postgresql://nobody@127.0.0.1:1/none"),
        "query.bad_table_name": lambda: query.from_table(source.con, "x; drop table y"),
        "query.no_table": lambda: query.from_table(source.con, "no_such_table"),
    }
    for key, call in cases.items():
        with pytest.raises(IlpInputError) as caught:
            call()
        assert caught.value.message.key == key, key
