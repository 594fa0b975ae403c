"""The view filter: period and offence types, and what it shares with the dataset."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ilp_core.data import dataset
from ilp_core.data.dataset import filter_incidents, kept_rows, load_sample


def _incidents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                ["2024-01-01 00:00", "2024-01-31 23:59", "2024-02-01 00:00", None]
            ),
            "offence": pd.array(["Robbery", "Burglary", "Robbery", "Robbery"], dtype="str"),
            "n": [1, 2, 3, 4],
        }
    )


def test_period_includes_both_days_and_offences_filter():
    df = _incidents()
    jan = filter_incidents(df, dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert jan["n"].tolist() == [1, 2]  # 23:59 on the last day is in; no date is out
    robbery = filter_incidents(df, offences=["Robbery"])
    assert robbery["n"].tolist() == [1, 3, 4]
    assert filter_incidents(df, dt.date(2024, 2, 1), None, ["Burglary"]).empty


def _by_mask(df, start, end, offences):
    """The filter's definition, row by row (the reference for the sliced period)."""
    when = df["occurred_at"]
    keep = np.ones(len(df), dtype=bool)
    if start is not None:
        keep &= (when >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        keep &= (when < pd.Timestamp(end) + pd.Timedelta(days=1)).to_numpy()
    if offences:
        keep &= df["offence"].isin(offences).to_numpy()
    return df.loc[keep]


@pytest.mark.parametrize("order", ["oldest first", "newest first", "shuffled", "a missing date"])
def test_a_period_is_the_rows_the_dates_say_in_any_order(order):
    # Many incidents per day (ties at every limit), days with none, both limits and one,
    # with and without an offence filter: the same rows as the row-by-row definition.
    rng = np.random.default_rng(5)
    minutes = rng.integers(0, 60 * 1440, 400)  # 60 days, to the minute; the ends of days too
    minutes[:20] = np.arange(20) * 1440 + 1439
    df = pd.DataFrame(
        {
            "occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(minutes), "min"),
            "offence": pd.array(rng.choice(["Robbery", "Burglary"], 400), dtype="str"),
            "n": np.arange(400),
        }
    )
    if order == "newest first":
        df = df.iloc[::-1]
    elif order == "shuffled":
        df = df.sample(frac=1.0, random_state=1)
    elif order == "a missing date":
        df.loc[200, "occurred_at"] = pd.NaT
    limits = [
        None,
        *(dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in (-3, 0, 7, 31, 59, 70)),
    ]
    for start in limits:
        for end in limits:
            for offences in (None, ["Robbery"]):
                ours = filter_incidents(df, start, end, offences)
                pd.testing.assert_frame_equal(ours, _by_mask(df, start, end, offences))


def test_a_period_of_rows_in_date_order_shares_their_memory():
    when = pd.date_range("2024-01-01", periods=1_000, freq="h")
    df = pd.DataFrame({"occurred_at": when, "lat": np.arange(1_000.0)})
    for rows in (df, df.iloc[::-1].reset_index(drop=True)):
        march = filter_incidents(rows, dt.date(2024, 1, 10), dt.date(2024, 1, 20))
        assert len(march) == 11 * 24
        assert np.shares_memory(march["lat"].to_numpy(), rows["lat"].to_numpy())


def test_no_filter_returns_every_row_and_changes_to_it_stay_local():
    df = _incidents()
    before = df.copy()
    everything = filter_incidents(df)
    pd.testing.assert_frame_equal(everything, df)
    assert everything is not df  # a shallow copy: the pages cannot rebind the dataset's frame
    everything.loc[0, "n"] = 99  # copy-on-write: the dataset's rows are untouched
    everything["extra"] = 1
    pd.testing.assert_frame_equal(df, before)


def test_dataset_describes_its_incidents_once():
    from ilp_core.data.dataset import Dataset

    df = _incidents().assign(district=pd.array(["b", None, "a", "b"], dtype="str"))
    data = Dataset("t", df)
    assert data.offences == ["Robbery", "Burglary"]  # most frequent first
    assert data.district_names == ["a", "b"]
    assert data.period == (dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert data.offences is data.offences  # computed once: the dataset never changes


def _located(n: int = 200_000) -> pd.DataFrame:
    """Rows in date order over the sample region's zone, a few without coordinates."""
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), "min"),
            "offence": pd.Categorical(rng.choice(["Кража", "Vol", "Robo"], n, p=[0.5, 0.3, 0.2])),
            "lat": 45.5 + rng.random(n) * 0.3,
            "lon": -30.5 + rng.random(n) * 0.4,
        }
    )
    df.loc[rng.random(n) < 0.02, "lat"] = np.nan
    return df


@pytest.mark.parametrize(
    ("period", "offences"),
    [
        ((None, None), ["Кража", "Vol"]),
        ((dt.date(2024, 1, 10), dt.date(2024, 3, 10)), ["Кража", "Vol"]),
        ((dt.date(2024, 1, 10), dt.date(2024, 3, 10)), None),
    ],
    ids=["offences", "period_and_offences", "period"],
)
def test_a_filtered_view_takes_its_points_from_the_whole_tables_projection(period, offences):
    from ilp_core.data import geo

    df = _located()
    whole = geo.projection(df)  # the maps' projection of the whole table, remembered
    view = filter_incidents(df, *period, offences)
    taken = geo.projection.peek(view)
    assert taken is not None and len(view) >= 50_000  # taken, not projected
    direct = geo.project(view)  # the reference: pyproj on the view's own rows
    assert taken.crs == direct.crs
    np.testing.assert_array_equal(taken.index, direct.index)
    np.testing.assert_array_equal(taken.x, direct.x)
    np.testing.assert_array_equal(taken.y, direct.y)
    assert not taken.x.flags.writeable  # shared with every page, as a projection is
    assert np.shares_memory(taken.x, whole.x) == (offences is None)  # a slice: views


def test_an_offence_in_another_zone_or_a_table_not_projected_gets_its_own_projection():
    from ilp_core.data import geo

    df = _located()
    far = df["offence"].eq("Robo").to_numpy()
    df.loc[far, "lon"] = -23.0 + df.loc[far, "lon"] % 0.1  # the next UTM zone east
    view = filter_incidents(df, offences=["Robo", "Vol"])  # the whole table not projected
    assert geo.projection.peek(view) is None
    whole = geo.projection(df)
    robo = filter_incidents(df, offences=["Robo"])
    assert geo.projection.peek(robo) is None  # its own zone: not taken from the whole's
    own = geo.projection(robo)
    assert own.crs != whole.crs and own.crs == geo.project(robo).crs


def _days_by_hand(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's day since 1970-01-01 (0 where the date is missing), and the missing mask."""
    missing = table["occurred_at"].isna().to_numpy()
    days = (table["occurred_at"] - pd.Timestamp("1970-01-01")).dt.days.fillna(0).to_numpy()
    return days.astype(np.int64), missing


def test_a_period_of_rows_in_date_order_takes_views_of_the_whole_tables_day_numbers():
    from ilp_core.analysis.temporal import _common

    df = _located()
    whole = _common._incident_days(df)  # what a "when" page derived for the whole table
    view = filter_incidents(df, dt.date(2024, 1, 20), dt.date(2024, 3, 5))
    taken = _common._incident_days.peek(view)
    assert taken is not None and len(view) >= 50_000  # taken, not derived again
    by_hand = _days_by_hand(view)  # the reference: pandas' own day arithmetic
    np.testing.assert_array_equal(taken[0], by_hand[0])
    np.testing.assert_array_equal(taken[1], by_hand[1])
    assert np.shares_memory(taken[0], whole[0]) and not taken[0].flags.writeable


@pytest.mark.parametrize("missing", [False, True], ids=["dated", "some_without_date"])
def test_views_that_copy_rows_derive_their_own_day_numbers(missing):
    from ilp_core.analysis.temporal import _common

    df = _located()
    if missing:  # no longer in date order: a period is then filtered, not sliced
        df.loc[np.random.default_rng(3).random(len(df)) < 0.01, "occurred_at"] = pd.NaT
    _common._incident_days(df)
    views = [
        filter_incidents(df, offences=["Кража", "Robo"]),
        filter_incidents(df, dt.date(2024, 1, 20), dt.date(2024, 3, 5), ["Кража", "Vol"]),
    ]
    if missing:
        views.append(filter_incidents(df, dt.date(2024, 1, 20), dt.date(2024, 3, 5)))
    for view in views:
        assert _common._incident_days.peek(view) is None  # derived when first asked
        by_hand = _days_by_hand(view)
        np.testing.assert_array_equal(_common._incident_days(view)[0], by_hand[0])
        np.testing.assert_array_equal(_common._incident_days(view)[1], by_hand[1])


def test_a_table_whose_days_were_never_derived_gives_none_to_its_views():
    from ilp_core.analysis.temporal import _common

    df = _located()
    view = filter_incidents(df, offences=["Vol"])
    assert _common._incident_days.peek(view) is None  # derived when a page first asks
    np.testing.assert_array_equal(_common._incident_days(view)[0], _days_by_hand(view)[0])


def _every_kind(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    text = rng.choice(["Кража", "vol à l'étalage", "", "=1+2"], n).astype(object)
    text[rng.random(n) < 0.1] = None
    frame = pd.DataFrame(
        {
            "str": pd.array(text, dtype="str"),
            "string": pd.array(text, dtype="string[pyarrow]"),
            "object": text,
            "category": pd.Categorical(rng.choice(["a", "b", None], n), categories=["b", "a"]),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 9e5, n), "min"),
            "aware": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Moscow"),
            "float": rng.normal(size=n),
            "int": rng.integers(-5, 5, n),
            "nullable": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "flag": rng.random(n) < 0.5,
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="row"),
    )
    frame.loc[frame.index[::7], "float"] = np.nan
    frame.attrs["source"] = "test"
    return frame


@pytest.mark.parametrize("threaded", [False, True])
@pytest.mark.parametrize("share", [0.0, 0.3, 0.9, 1.0])
def test_kept_rows_are_those_pandas_keeps(share, threaded, monkeypatch):
    # on two threads from THREADED_ROWS rows: lowered here so these tables take that path
    monkeypatch.setattr(dataset, "THREADED_ROWS", 1 if threaded else 10**9)
    frame = _every_kind(500)
    mask = np.random.default_rng(12).random(len(frame)) < share
    ours = kept_rows(frame, mask)
    pd.testing.assert_frame_equal(ours, frame.loc[mask])
    assert ours.attrs == {"source": "test"}
    sample = load_sample().incidents  # the canonical incidents' own columns
    mask = sample["offence"].isin(["Shoplifting", "Vehicle crime"]).to_numpy()
    pd.testing.assert_frame_equal(kept_rows(sample, mask), sample.loc[mask])


def test_kept_rows_of_repeated_column_names_are_those_pandas_keeps():
    frame = pd.DataFrame(np.arange(12).reshape(4, 3), columns=["a", "a", "b"])
    mask = np.array([True, False, True, True])
    pd.testing.assert_frame_equal(kept_rows(frame, mask), frame.loc[mask])
