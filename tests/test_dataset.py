"""The view filter: period and offence types, and what it shares with the dataset."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ilp_core.data.dataset import filter_incidents


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
