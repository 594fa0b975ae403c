"""ilp_core.memo: results kept per column buffers, never served for other data."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from ilp_core import memo
from ilp_core.analysis import hotspots
from ilp_core.analysis.hotspots import _common
from ilp_core.data.dataset import filter_incidents, load_sample

N = memo.MIN_ROWS + 10


def counted():
    calls = []

    @memo.by_columns(("lat", "district"), size=2)
    def total(table: pd.DataFrame, scale: float) -> float:
        calls.append(1)
        return float(table["lat"].sum()) * scale

    return total, calls


def frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "lat": rng.normal(45, 1, N),
            "district": pd.Categorical(rng.choice(["Север", "Sud", "Este"], N)),
            "other": rng.integers(0, 9, N),
        }
    )


def test_same_columns_are_remembered_and_a_shallow_copy_shares_them():
    total, calls = counted()
    df = frame()
    first = total(df, 1.0)
    assert total(df, 1.0) == first
    assert total(df.copy(deep=False), 1.0) == first
    assert total(df.drop(columns="other"), 1.0) == first  # a column it does not read
    assert len(calls) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.assign(lat=df["lat"] + 1.0),  # a read column changed
        lambda df: df.assign(district=df["district"].cat.rename_categories(["A", "B", "C"])),
        lambda df: df.iloc[:-1],  # fewer rows
        lambda df: df.loc[df["lat"] > 44],  # filtered
        lambda df: df.copy(),  # a deep copy: the same values, new buffers
    ],
)
def test_other_columns_are_computed_again(change):
    total, calls = counted()
    df = frame()
    total(df, 1.0)
    other = change(df)
    assert total(other, 1.0) == pytest.approx(float(other["lat"].sum()))
    assert len(calls) == 2


def test_arguments_are_part_of_the_key_and_small_tables_are_not_kept():
    total, calls = counted()
    df = frame()
    assert total(df, 2.0) == pytest.approx(2 * total(df, 1.0))
    assert len(calls) == 2
    small = df.iloc[:100]
    total(small, 1.0), total(small, 1.0)
    assert len(calls) == 4


def test_a_freed_table_never_serves_its_result_to_a_new_one():
    total, calls = counted()
    for seed in range(5):  # new frames, possibly at the addresses of freed ones
        df = frame(seed)
        assert total(df, 1.0) == pytest.approx(float(df["lat"].sum()))
        del df
        gc.collect()
    assert len(calls) == 5


def test_at_most_size_entries_are_kept():
    total, calls = counted()
    frames = [frame(s) for s in range(3)]
    for df in frames:
        total(df, 1.0)
    total(frames[0], 1.0)  # the oldest was dropped (size 2)
    assert len(calls) == 4


def test_the_hot_spot_layout_is_shared_read_only_and_equal_to_a_fresh_one():
    sample = load_sample()
    view = filter_incidents(sample.incidents)
    assert len(view) >= memo.MIN_ROWS
    _common._layout.forget()
    gi = hotspots.gi_star(view, sample.districts)
    kept = _common._layout(view, sample.districts, None)
    assert _common._layout(view.copy(deep=False), sample.districts, None) is kept
    with pytest.raises(ValueError, match="read-only"):
        kept.cell[0] = 1
    _common._layout.forget()
    fresh = hotspots.gi_star(view.copy(), sample.districts)
    pd.testing.assert_frame_equal(gi.table, fresh.table)
    # the other districts (another object, same names) get their own layout
    assert _common._layout(view, sample.districts.copy(), None) is not kept


def test_two_callers_of_the_same_columns_at_once_compute_it_once():
    import threading
    import time

    calls = []

    @memo.by_columns(("lat",), size=2)
    def slow(table: pd.DataFrame) -> float:
        calls.append(1)
        time.sleep(0.3)
        return float(table["lat"].sum())

    df = frame()
    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(df))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(set(results)) == 1 and len(results) == 3


def test_a_failed_call_is_not_kept_and_the_next_one_runs_again():
    calls = []

    @memo.by_columns(("lat",), size=2)
    def failing(table: pd.DataFrame) -> float:
        calls.append(1)
        raise ValueError("no")

    df = frame()
    for _ in range(2):
        with pytest.raises(ValueError, match="no"):
            failing(df)
    assert len(calls) == 2


def test_a_shown_dataset_is_placed_in_the_background_for_every_page(monkeypatch):
    import dataclasses

    from ilp_core.analysis.hotspots import _binning
    from ui import cache, state

    data = dataclasses.replace(load_sample(), name="prepared.csv", is_sample=False)
    state._prepare(cache.dataset_key(data), data).join(timeout=120)
    grids = []
    locate = _binning.area_cells  # each placing finds the points' cells on the grid
    monkeypatch.setattr(_binning, "area_cells", lambda *a: grids.append(1) or locate(*a))
    view = filter_incidents(data.incidents, *data.period)  # the sidebar's default view
    gi = hotspots.gi_star(view, data.districts)
    change = hotspots.hotspot_change(view, data.districts)
    density = hotspots.kernel_density(view, data.districts)
    assert grids == [] and len(gi.table)  # placed by the background, not again by the page
    from ilp_core.analysis.hotspots import _concentration

    assert _concentration._location_codes.peek(data.incidents) is not None  # ids coded too
    assert len(change.table) and density is not None  # every statistic of the Where page
    hotspots.gi_star(view.loc[view["offence"] == "Shoplifting"], data.districts)
    assert grids == [1]  # another view is placed anew


def test_a_python_text_column_is_not_remembered_and_not_converted(monkeypatch):
    # Python strings have no buffer to key on: each call computes again, and the column
    # is not turned into an array only to find that out (0.05 s a million texts).
    total, calls = counted()
    df = frame().assign(district=lambda f: f["district"].astype(str).astype(object))

    convert = pd.Series.to_numpy

    def guarded(column: pd.Series, *args, **kwargs):
        assert column.name != "district", "a text column was converted"
        return convert(column, *args, **kwargs)

    monkeypatch.setattr(pd.Series, "to_numpy", guarded)
    total(df, 1.0)
    total(df, 1.0)
    assert len(calls) == 2


def test_an_arrow_text_column_is_remembered_per_arrow_array():
    # Arrow text never changes in place: the same Arrow array (a shallow copy, another
    # page's frame) is served; equal text in a new array, or a changed value, is not.
    total, calls = counted()
    df = frame().assign(district=lambda f: f["district"].astype(str).astype("str"))
    assert isinstance(df["district"].array, pd.arrays.ArrowExtensionArray)
    total(df, 1.0)
    total(df.copy(deep=False), 1.0)
    assert len(calls) == 1
    total(df.copy(), 1.0)  # equal values, a new array
    changed = df.copy(deep=False)
    changed.loc[0, "district"] = "Запад"  # copy-on-write: a new Arrow array here only
    total(changed, 1.0)
    assert len(calls) == 3
    total(df, 1.0)
    assert len(calls) == 3 and df.loc[0, "district"] != "Запад"


def test_by_identity_serves_the_same_object_only_and_never_a_freed_one():
    calls = []

    @memo.by_identity(size=2)
    def first_lat(table: pd.DataFrame, scale: float) -> float:
        calls.append(1)
        return float(table["lat"].iloc[0]) * scale

    df = frame(0)
    assert first_lat(df, 2.0) == first_lat(df, 2.0) == 2 * df["lat"].iloc[0]
    assert len(calls) == 1
    first_lat(df, 3.0)  # another argument: another entry
    first_lat(df.copy(), 2.0)  # an equal table, another object: derived again
    assert len(calls) == 3
    for seed in range(1, 5):  # new frames, possibly at the addresses of freed ones
        other = frame(seed)
        assert first_lat(other, 1.0) == other["lat"].iloc[0]
        del other
        gc.collect()
    assert len(calls) == 7
    first_lat.forget()


def test_the_study_area_is_shared_and_equal_to_the_cells_touching_the_districts():
    """The cached grid and cells are those of the districts' union, checked cell by cell
    with Shapely against each cell's own square (not through ``cells_in_area``)."""
    import shapely

    from ilp_core.data import geo

    sample = load_sample()
    proj = geo.projection(sample.incidents)
    _common._study_area.forget()
    grid, in_area = _common._study_area(sample.districts, proj.crs, 500.0)
    assert _common._study_area(sample.districts, proj.crs, 500.0)[1] is in_area
    assert not in_area.flags.writeable
    area = sample.districts.to_crs(proj.crs).geometry.union_all()
    minx, miny, maxx, maxy = area.bounds
    assert grid.x0 <= minx and grid.y0 <= miny
    assert grid.x0 + grid.nx * 500 >= maxx and grid.y0 + grid.ny * 500 >= maxy
    rng = np.random.default_rng(0)
    for r, c in zip(rng.integers(0, grid.ny, 300), rng.integers(0, grid.nx, 300), strict=True):
        x, y = grid.x0 + c * 500, grid.y0 + r * 500
        assert in_area[r, c] == area.intersects(shapely.box(x, y, x + 500, y + 500))
    assert in_area.any() and not in_area.all()


def test_the_cells_of_a_study_area_are_shared_and_never_changed_by_a_statistic():
    """Two statistics on one grid share the cells' geometry; the values each adds are
    its own, and the shared cells stay equal to a fresh ``Grid.cells``."""
    sample = load_sample()
    view = filter_incidents(sample.incidents)
    _common._layout.forget()
    _common._area_cells.forget()
    gi = hotspots.gi_star(view, sample.districts)
    counts = hotspots.grid_counts(view, sample.districts)
    layout = _common._layout(view, sample.districts, None)
    shared = _common._area_cells(layout.in_area, layout.grid)
    fresh = layout.grid.cells(np.flatnonzero(layout.in_area.ravel()))
    pd.testing.assert_frame_equal(shared, fresh)
    assert set(shared.columns) < set(gi.table.columns)  # the statistic's columns are its own
    assert gi.table["cell_id"].tolist() == counts.table["cell_id"].tolist()
    gi.table["count"] = -1  # a caller writing into its table leaves the others' alone
    assert (counts.table["count"] >= 0).all()
    pd.testing.assert_frame_equal(_common._area_cells(layout.in_area, layout.grid), fresh)


def test_peek_never_computes_and_a_seed_is_served_for_exactly_its_columns():
    total, calls = counted()
    df = frame()
    assert total.peek(df, 1.0) is None and calls == []  # nothing computed to answer
    total.seed(-5.0, df, 1.0)
    assert total(df.copy(deep=False), 1.0) == -5.0 and calls == []  # the seed, shared
    assert total.peek(df, 1.0) == -5.0
    assert total(df, 2.0) == float(df["lat"].sum()) * 2.0  # other arguments: computed
    other = df.assign(lat=df["lat"] + 1.0)
    assert total.peek(other, 1.0) is None  # other values in a read column: not the seed
    small = df.iloc[: memo.MIN_ROWS - 1]
    total.seed(-5.0, small, 1.0)  # too small to remember: the seed is not kept
    assert total(small, 1.0) == float(small["lat"].sum())


def test_share_rows_gives_a_part_its_rows_of_what_the_whole_has(monkeypatch):
    monkeypatch.setattr(memo, "_ROWWISE", [])  # this test's function only, then as before
    calls = []

    @memo.by_columns(("lat",), rowwise=True)
    def doubled(table: pd.DataFrame) -> tuple[np.ndarray]:
        calls.append(1)
        return (table["lat"].to_numpy() * 2,)

    df = pd.concat([frame(), frame(1)], ignore_index=True)  # parts of it above MIN_ROWS
    window = df.iloc[1_000:70_000]
    memo.share_rows(df, window, slice(1_000, 70_000))
    assert doubled.peek(window) is None  # the whole has none: nothing to give
    doubled(df)
    assert calls == [1]
    memo.share_rows(df, window, slice(1_000, 70_000))
    np.testing.assert_array_equal(doubled(window)[0], window["lat"].to_numpy() * 2)
    assert np.shares_memory(doubled(window)[0], doubled(df)[0]) and calls == [1]
    small = df.iloc[: memo.MIN_ROWS - 1]
    memo.share_rows(df, small, slice(0, memo.MIN_ROWS - 1))
    assert doubled.peek(small) is None  # too small to remember
