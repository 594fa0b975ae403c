"""Dates: every written form, the day/month question, Excel serials, windows, unreadable rows."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fixtures.ingest_make import conserved, csv_bytes, load, rejected, xlsx_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_core.data import ingest
from ilp_core.data.ingest._dates import (
    DATE_FORMATS,
    DateFormat,
    _iso_cast,
    _iso_layout,
    _parse_with,
)
from ilp_core.errors import IlpInputError


def _dates(values, header="Date", **kwargs):
    """Load one date column plus an offence column; return the result."""
    rows = [[header, "Offence"]] + [[v, "Theft"] for v in values]
    return load(csv_bytes(rows, delimiter=";"), **kwargs)


def _in_file_order(result):
    """The incidents in the order of the file's rows (the table is in date order)."""
    return result.incidents.sort_values("source_row")


def _when(result):
    return _in_file_order(result)["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist()


def _precision(result):
    return _in_file_order(result)["precision"].astype(str).tolist()


@pytest.mark.parametrize(
    ("values", "expected", "precision"),
    [
        (["2024-03-18", "2024-03-19"], ["2024-03-18 00:00:00", "2024-03-19 00:00:00"], "day"),
        (
            ["2024-03-18 23:45", "2024-03-19 08:05"],
            ["2024-03-18 23:45:00", "2024-03-19 08:05:00"],
            "minute",
        ),
        (
            ["2024-03-18T23:45:10", "2024-03-19T08:05:00"],
            ["2024-03-18 23:45:10", "2024-03-19 08:05:00"],
            "minute",
        ),
        (
            ["2024-03-18 23:45:10.250", "2024-03-19 08:05:00.5"],
            ["2024-03-18 23:45:10", "2024-03-19 08:05:00"],
            "minute",
        ),
        (
            ["2024-03-18T23:45:00Z", "2024-03-19T08:05:00+01:00"],
            ["2024-03-18 23:45:00", "2024-03-19 08:05:00"],
            "minute",
        ),
        (["18.03.2024", "01.04.2024"], ["2024-03-18 00:00:00", "2024-04-01 00:00:00"], "day"),
        (
            ["18.03.2024 23:45", "01.04.2024 8:05"],
            ["2024-03-18 23:45:00", "2024-04-01 08:05:00"],
            "minute",
        ),
        (
            ["2024/03/18 11:45:00 PM", "2024/03/19 12:05:00 AM"],
            ["2024-03-18 23:45:00", "2024-03-19 00:05:00"],
            "minute",
        ),
        (["18-MAR-2024", "01-APR-2024"], ["2024-03-18 00:00:00", "2024-04-01 00:00:00"], "day"),
        (["20240318", "20240401"], ["2024-03-18 00:00:00", "2024-04-01 00:00:00"], "day"),
    ],
)
def test_date_forms(values, expected, precision):
    result = _dates(values)
    assert rejected(result) == []
    assert _when(result) == expected
    assert set(_precision(result)) == {precision}


def test_month_only_values_are_placed_on_the_first_with_month_precision():
    result = _dates(["2024-03", "2024-04", "2024-4"], header="Month")
    assert _when(result) == ["2024-03-01 00:00:00", "2024-04-01 00:00:00", "2024-04-01 00:00:00"]
    assert _precision(result) == ["month"] * 3
    msg = next(m for m in result.report.readings if m.key == "ingest.reading.dates_month")
    assert msg.params == {"column": "Month", "pattern": "yyyy-mm", "n": 3}
    assert "placed on the 1st" in msg.render("en")


def test_day_first_is_certain_when_a_day_is_above_12_and_the_report_says_so():
    result = _dates(["03/04/2024", "18/03/2024 23:45", "05/06/2024"])
    assert _when(result) == ["2024-04-03 00:00:00", "2024-03-18 23:45:00", "2024-06-05 00:00:00"]
    assert (
        ingest.questions(
            ingest.read_table(csv_bytes([["Date", "Offence"], ["18/03/2024", "x"]])),
            ingest.ColumnMapping({"datetime": "Date", "offence": "Offence"}),
        )
        == ()
    )
    order = next(m for m in result.report.readings if m.key == "ingest.reading.order_day_first")
    assert order.params == {"column": "Date", "n": 1}
    assert _precision(result) == ["day", "minute", "day"]


def test_month_first_is_certain_when_a_second_number_is_above_12():
    result = _dates(["03/04/2024 11:45 PM", "03/18/2024 1:05 AM"])
    assert _when(result) == ["2024-03-04 23:45:00", "2024-03-18 01:05:00"]
    assert any(m.key == "ingest.reading.order_month_first" for m in result.report.readings)


def test_ambiguous_order_is_asked_not_guessed():
    data = csv_bytes(
        [
            ["Date", "Offence"],
            ["03/04/2024", "Theft"],
            ["05/06/2024", "Theft"],
            ["01/01/2024", "Theft"],
        ]
    )
    raw = ingest.read_table(data, "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    (question,) = ingest.questions(raw, mapping)
    assert question.key == "date_order"
    assert question.options == ("dmy", "mdy")
    assert question.default is None
    # 3 rows with both numbers <= 12; the example is read both ways
    assert question.message.params["n"] == 3
    assert question.message.params["as_dmy"] == dt.date(2024, 4, 3)
    assert question.message.params["as_mdy"] == dt.date(2024, 3, 4)
    text = question.message.render("en")
    assert "03/04/2024" in text and "Apr 3, 2024" in text and "Mar 4, 2024" in text
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(raw, mapping)
    assert err.value.message.key == "ingest.open_question.date_order"
    assert err.value.columns == ("Date",)
    dmy = conserved(ingest.build_incidents(raw, mapping.answer("date_order", "dmy")))
    assert _when(dmy)[:2] == ["2024-04-03 00:00:00", "2024-06-05 00:00:00"]
    mdy = conserved(ingest.build_incidents(raw, mapping.answer("date_order", "mdy")))
    assert _when(mdy)[:2] == ["2024-03-04 00:00:00", "2024-05-06 00:00:00"]
    assert any(m.key == "ingest.reading.order_user_mdy" for m in mdy.report.readings)


def test_dates_with_equal_day_and_month_need_no_question():
    result = _dates(["01/01/2024", "02/02/2024"])
    assert _when(result) == ["2024-01-01 00:00:00", "2024-02-02 00:00:00"]


def test_conflicting_orders_are_asked_with_the_majority_as_default():
    values = ["13/01/2024", "14/01/2024", "01/15/2024", "05/05/2024"]
    data = csv_bytes([["Date", "Offence"]] + [[v, "Theft"] for v in values])
    raw = ingest.read_table(data, "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    (question,) = ingest.questions(raw, mapping)
    assert question.message.key == "ingest.question.date_order_conflict"
    assert question.message.params == {"column": "Date", "n_dmy": 2, "n_mdy": 1}
    assert question.default == "dmy"
    result = conserved(ingest.build_incidents(raw, mapping.answer("date_order", "dmy")))
    # 01/15/2024 has no 15th month: rejected as unreadable, the value kept
    assert rejected(result) == [(4, "date_unreadable")]
    assert result.rejects["value"].tolist() == ["01/15/2024"]
    assert result.rejects["column"].tolist() == ["Date"]


def test_unreadable_and_missing_dates_are_rejected_with_row_and_value():
    values = ["2024-03-18", "2024-02-30", "yesterday", "", "2024-13-01", "2024-03-19", "1850-01-01"]
    result = _dates(values)
    assert rejected(result) == [
        (3, "date_unreadable"),
        (4, "date_unreadable"),
        (5, "date_missing"),
        (6, "date_unreadable"),
        (8, "date_unreadable"),
    ]
    bad = result.rejects.set_index("row_number")
    assert bad.loc[3, "value"] == "2024-02-30" and bad.loc[4, "value"] == "yesterday"
    assert bad.loc[3, "expected"] == "yyyy-mm-dd"


def test_separate_date_and_time_columns():
    rows = [
        ["Fecha", "Hora", "Delito"],
        ["18/03/2024", "23:45", "Robo"],
        ["19/03/2024", "", "Hurto"],
        ["20/03/2024", "9:05", "Hurto"],
        ["21/03/2024", "25:99", "Robo"],
    ]
    result = load(csv_bytes(rows, delimiter=";"))
    assert dict(result.mapping.fields) == {"date": "Fecha", "time": "Hora", "offence": "Delito"}
    assert rejected(result) == [(5, "time_unreadable")]
    assert _when(result) == ["2024-03-18 23:45:00", "2024-03-19 00:00:00", "2024-03-20 09:05:00"]
    assert _precision(result) == ["minute", "day", "minute"]


def test_all_midnight_times_mean_the_time_is_unknown():
    result = _dates(["2024-03-18 00:00", "2024-03-19 00:00"])
    assert _precision(result) == ["day", "day"]
    assert any(m.key == "ingest.reading.dates_midnight" for m in result.report.readings)


def test_excel_serial_numbers_and_real_date_cells():
    data = xlsx_bytes(
        [
            ["Serial", "Cell", "Time", "Offence"],
            # 45369 days after 1899-12-30 is 2024-03-18; .5 is noon
            [45369, dt.datetime(2024, 3, 18, 23, 45), dt.time(23, 45), "Theft"],
            [45370.5, dt.datetime(2024, 3, 19), dt.time(8, 5), "Theft"],
        ]
    )
    serial = load(
        data, "x.xlsx", mapping=ingest.ColumnMapping({"datetime": "Serial", "offence": "Offence"})
    )
    assert _when(serial) == ["2024-03-18 00:00:00", "2024-03-19 12:00:00"]
    assert _precision(serial) == ["day", "minute"]
    assert any(m.key == "ingest.reading.dates_excel_serial" for m in serial.report.readings)
    cells = load(
        data, "x.xlsx", mapping=ingest.ColumnMapping({"datetime": "Cell", "offence": "Offence"})
    )
    assert _when(cells) == ["2024-03-18 23:45:00", "2024-03-19 00:00:00"]
    assert _precision(cells) == ["minute", "day"]
    assert any(m.key == "ingest.reading.dates_excel_cells" for m in cells.report.readings)
    pair = load(
        data,
        "x.xlsx",
        mapping=ingest.ColumnMapping({"date": "Serial", "time": "Time", "offence": "Offence"}),
    )
    assert _when(pair) == ["2024-03-18 23:45:00", "2024-03-19 08:05:00"]


def test_excel_time_fractions_in_a_time_column():
    data = xlsx_bytes(
        [["Date", "Time", "Offence"], ["2024-03-18", 0.75, "Theft"], ["2024-03-19", 0.25, "Theft"]]
    )
    result = load(data, "x.xlsx")
    # 0.75 of a day is 18:00, 0.25 is 06:00
    assert _when(result) == ["2024-03-18 18:00:00", "2024-03-19 06:00:00"]


def test_from_to_window():
    rows = [
        ["occurred_at", "occurred_to", "offence"],
        ["2024-03-18 22:00", "2024-03-19 06:30", "Burglary"],
        ["2024-03-18 22:00", "", "Burglary"],
        ["2024-03-18 22:00", "2024-03-18 21:00", "Burglary"],
        ["2024-03-18 22:00", "soon", "Burglary"],
        ["2024-03-18", "2024-03-18", "Burglary"],
    ]
    result = load(csv_bytes(rows))
    assert rejected(result) == [(4, "date_to_before_from"), (5, "date_to_unreadable")]
    to = result.incidents["occurred_to"]
    assert str(to.iloc[0]) == "2024-03-19 06:30:00"
    assert pd.isna(to.iloc[1])
    # a date-only end is the end of that day
    assert str(to.iloc[2]) == "2024-03-18 23:59:59"


def test_no_date_column_is_an_issue_not_an_error():
    result = load(b"offence\nTheft\n")
    assert result.incidents["occurred_at"].isna().all()
    assert result.report.period is None
    assert any(m.key == "ingest.issue.no_dates" for m in result.report.issues)


# -- Arrow's strptime against pandas, the reference ---------------------------------------


@pytest.mark.parametrize(
    "fmt",
    [
        f
        for f in DATE_FORMATS
        if "%b" not in f.strptime and "%B" not in f.strptime and "%y" not in f.strptime
    ],
    ids=lambda f: f.strptime,
)
def test_arrow_parsing_equals_pandas(fmt: DateFormat):
    rng = np.random.default_rng(7)
    stamps = pd.Timestamp("2000-01-01") + pd.to_timedelta(
        rng.integers(0, 40 * 365 * 1440, 300), unit="min"
    )
    text = [t.strftime(fmt.strptime) for t in stamps]
    text += ["31.02.2024", "2024-02-30", "nonsense", "29/02/2023"]
    ours = _parse_with(pa.array(text, pa.large_string()), fmt)
    reference = pd.to_datetime(pd.Series(text), format=fmt.strptime, errors="coerce")
    np.testing.assert_array_equal(ours, reference.to_numpy().astype("datetime64[s]"))


@pytest.mark.parametrize(
    ("fmt", "in_full"),
    [
        pytest.param(f, in_full, id=f"{f.strptime}-{'03.04' if in_full else '3.4'}")
        for f in DATE_FORMATS
        if "%d" in f.strptime
        # fields without a separator between them are only read written in full
        for in_full in ([True] if re.search(r"%.%", f.strptime) else [True, False])
    ],
)
def test_every_day_written_is_read_only_if_it_exists(fmt: DateFormat, in_full: bool):
    # days 1-31 of every month of a leap year and a common year, written with the format
    # (invalid days by hand): a date is read exactly when the calendar has it, as written;
    # days and months written in full (two digits) or not (the day is then found by a
    # regex, not at its place), the column in chunks of 97 cells
    text, expected = [], []
    for year in (2023, 2024):
        for month in range(1, 13):
            for day in range(1, 32):
                pattern = fmt.strptime.replace("%d", f"{day:02d}" if in_full else str(day))
                if not in_full:
                    pattern = pattern.replace("%m", str(month))
                written = dt.datetime(year, month, 1, 13, 45).strftime(pattern)
                text.append(written)
                try:
                    real = dt.datetime.strptime(written, fmt.strptime)
                except ValueError:
                    real = None
                expected.append(np.datetime64(real, "s") if real else np.datetime64("NaT", "s"))
    ours = _parse_with(pa.array(text, pa.large_string()), fmt)
    np.testing.assert_array_equal(ours, np.array(expected, dtype="datetime64[s]"))
    assert np.isnat(ours).sum() == (3 + 4) + (2 + 4)  # 29-31.02.2023, 30-31.02.2024, 31sts
    chunked = pa.chunked_array([pa.array(text[i : i + 97]) for i in range(0, len(text), 97)])
    np.testing.assert_array_equal(_parse_with(chunked, fmt), ours)


# every format of numbers with a four-digit year, a month and a day
_ISO_FORMATS = [f for f in DATE_FORMATS if _iso_layout(f.strptime) is not None]


def test_the_formats_of_numbers_are_read_through_iso():
    patterns = {f.strptime for f in _ISO_FORMATS}
    assert {"%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S"} <= patterns
    assert {"%Y%m%d", "%d-%m-%Y"} <= patterns
    assert not patterns & {"%d.%m.%y", "%m.%Y", "%d/%m/%Y %I:%M %p", "%d-%b-%Y"}


@pytest.mark.parametrize("fmt", _ISO_FORMATS, ids=lambda f: f.strptime)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_columns_read_through_iso_equal_python_strptime(fmt: DateFormat, data):
    # The reference is Python's datetime.strptime, cell by cell (it refuses a day the
    # month does not have), with the years the loader accepts (1900-2099). Cells
    # written in full with any digits: a column of real dates goes through Arrow's
    # ISO 8601 cast, one with a day or an hour that does not exist through strptime,
    # each in chunks; with some cells not in full (9 for 09), those cells through
    # strptime and the others through the cast; the result is the reference every time.
    fields = {"%Y": (1890, 2110), "%m": (0, 13), "%d": (0, 32), "%H": (0, 25), "%M": (0, 61)}
    fields["%S"] = (0, 60)  # C's strptime also takes 61, as a minute and one second
    valid_only = data.draw(st.booleans())
    # fields without a separator between them (yyyymmdd) are only read written in full
    some_short = data.draw(st.booleans()) and not re.search(r"%.%", fmt.strptime)

    def written(values: dict[str, int]) -> str:
        text = fmt.strptime
        for code, value in values.items():
            width = 4 if code == "%Y" else 2
            if some_short and code != "%Y" and data.draw(st.integers(0, 3)) == 0:
                width = 1
            text = text.replace(code, f"{value:0{width}d}")
        return text

    def cell(_: int) -> str | None:
        if data.draw(st.integers(0, 9)) == 0:
            return None
        if valid_only:
            day = data.draw(st.datetimes(dt.datetime(1890, 1, 1), dt.datetime(2110, 12, 31)))
            parts = [day.year, day.month, day.day, day.hour, day.minute, day.second]
            return written(dict(zip(fields, parts, strict=True)))
        return written({code: data.draw(st.integers(*span)) for code, span in fields.items()})

    cells = [cell(i) for i in range(data.draw(st.integers(1, 40)))]
    expected = []
    for text in cells:
        # a leap second (:60) is read as the next minute's first, as C's strptime reads it
        leap = text is not None and "%S" in fmt.strptime and text.endswith(":60")
        try:
            if leap:
                real = dt.datetime.strptime(text[:-2] + "59", fmt.strptime)
                real += dt.timedelta(seconds=1)
            else:
                real = None if text is None else dt.datetime.strptime(text, fmt.strptime)
        except ValueError:
            real = None
        ok = real is not None and 1900 <= real.year < 2100
        expected.append(np.datetime64(real, "s") if ok else np.datetime64("NaT", "s"))
    cut = data.draw(st.integers(0, len(cells)))
    column = pa.chunked_array(
        [pa.array(cells[:cut], pa.large_string()), pa.array(cells[cut:], pa.large_string())]
    )
    for values in (pa.array(cells, pa.large_string()), column, pa.array(cells, pa.string())):
        np.testing.assert_array_equal(_parse_with(values, fmt), np.array(expected))
        if valid_only and not some_short:  # every cell a real date in full: read by the cast
            assert _iso_cast(values, fmt) is not None
    # a slice, as the blocks of rows of a load are (its cells start past its buffers' start)
    sliced = column.slice(1)
    np.testing.assert_array_equal(_parse_with(sliced, fmt), np.array(expected[1:]))


@pytest.mark.parametrize(
    "cells",
    [
        ["2024-03-18 09:05", "2024-3-18 09:05"],  # a month not in full
        ["2024-03-18 09:05", "2024-03-18T09:05"],  # another separator
        ["2024-03-18 09:05", "2024-03-18 09:05:00"],  # seconds
        ["2024-03-18 09:05", "2024-03-1a 09:05"],  # not a digit
        ["2024-03-18 09:05", "2024-02-30 09:05"],  # no such day
    ],
)
def test_a_cell_not_in_the_iso_format_sends_its_column_to_strptime(cells):
    fmt = DateFormat("%Y-%m-%d %H:%M", "minute")
    values = pa.array(cells, pa.large_string())
    assert _iso_cast(values, fmt) is None
    expected = pc.strptime(values, format=fmt.strptime, unit="s", error_is_null=True)
    ours = _parse_with(values, fmt)
    assert ours[0] == np.datetime64("2024-03-18T09:05", "s")
    assert np.isnat(ours[1]) == (expected[1].as_py() is None or cells[1].startswith("2024-02"))


@pytest.mark.parametrize("n", [0, 3, 499, 500, 501, 12_345])
@pytest.mark.parametrize("chunk", [1, 7, 1_000, 20_000])
def test_the_sample_is_every_present_cell_evenly_spread_whatever_the_chunks(n, chunk):
    # The reference: drop the empty cells of the joined column, then take evenly spaced
    # positions (what the plan's sample was before it went chunk by chunk).
    from ilp_core.data.ingest._dates import _SAMPLE, _sample

    rng = np.random.default_rng(n + chunk)
    cells = [None if rng.random() < 0.3 else f"v{i}" for i in range(n)]
    column = pa.chunked_array(
        [pa.array(cells[i : i + chunk], pa.string()) for i in range(0, n, chunk)], pa.string()
    )
    present = pa.array([c for c in cells if c is not None], pa.string())
    if len(present) > _SAMPLE:
        spread = np.linspace(0, len(present) - 1, _SAMPLE).round().astype(np.int64)
        present = present.take(pa.array(np.unique(spread)))
    assert _sample(column).to_pylist() == present.to_pylist()
    assert _sample(pa.array(cells, pa.string())).to_pylist() == present.to_pylist()
