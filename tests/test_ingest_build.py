"""Building the incident table: conservation, duplicates, the report, rejects for people."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time
from unittest.mock import patch

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT
from fixtures.ingest_make import conserved, csv_bytes, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_core import i18n
from ilp_core.data import ingest, schema
from ilp_core.data.ingest._canonical import (
    categorical,
    kept_codes,
    nanoseconds_in_place,
    repeats_numbers,
    repeats_text,
    text_order,
)
from ilp_core.errors import IlpInputError

SAMPLE = ROOT / "data" / "sample"


# -- conservation: every row accepted or rejected, whatever the file ----------------------

CELLS = st.sampled_from(
    [
        "",
        " ",
        "NA",
        "Theft",
        "Кража",
        "Грабёж",
        "x;y",
        'say "hi"',
        "two\nlines",
        "2024-03-18",
        "18.03.2024 23:45",
        "03/04/2024",
        "2024-02-30",
        "45369",
        "0",
        "55,75",
        "37.61",
        "-200",
        "95",
        "abc",
        "A1",
        "A1",
    ]
)
ROW = st.lists(CELLS, min_size=5, max_size=5) | st.lists(CELLS, min_size=0, max_size=8)
HEADER = ["id", "date", "offence", "lat", "lon"]
MAPPING = ingest.ColumnMapping(
    {"incident_id": "id", "datetime": "date", "offence": "offence", "lat": "lat", "lon": "lon"},
    date_order="dmy",
)


def _messy_file(rows, delimiter, encoding, newline, blank_every):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADER)
    for i, row in enumerate(rows):
        if blank_every and i % blank_every == 0:
            out.write(newline)
        writer.writerow(row)
    return out.getvalue().encode(encoding)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(ROW, min_size=1, max_size=25),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    blank_every=st.sampled_from([0, 3]),
)
def test_accepted_plus_rejected_is_rows_read_for_any_messy_file(
    rows, delimiter, encoding, newline, blank_every
):
    data = _messy_file(rows, delimiter, encoding, newline, blank_every)
    # independent count: data rows with at least one non-empty cell (a space is content)
    expected_rows = sum(1 for r in rows if any(c != "" for c in r))
    try:
        result = ingest.load_incidents(data, "messy.csv", mapping=MAPPING)
    except IlpInputError as err:
        assert expected_rows == 0 and err.message.key == "ingest.no_data_rows"
        return
    conserved(result)
    assert result.report.rows_read == expected_rows
    assert set(result.rejects["reason"]) <= set(ingest.REASONS)
    # the canonical table is exactly what the schema's own coercion gives
    pd.testing.assert_frame_equal(result.incidents, schema.coerce_incidents(result.incidents))


# -- duplicates -------------------------------------------------------------------------------


def test_duplicates_by_id_and_by_event_are_flagged_and_kept():
    rows = [
        ["id", "date", "offence", "lat", "lon"],
        ["A1", "2024-03-18 10:00", "Theft", "55.75", "37.61"],  # row 2
        ["A1", "2024-03-19 11:00", "Robbery", "55.76", "37.62"],  # row 3: same id as row 2
        ["B7", "2024-03-18 10:00", "Theft", "55.75", "37.61"],  # row 4: same event as row 2
        ["", "2024-03-20 10:00", "Theft", "55.70", "37.60"],  # row 5: no id
        ["", "2024-03-21 10:00", "Theft", "55.71", "37.60"],  # row 6: no id, other event
        ["C3", "2024-03-18 10:00", "Robbery", "55.75", "37.61"],  # row 7: other offence
        ["", "2024-03-18 10:00", "Theft", "", ""],  # row 8: no place: never an event twin
        ["", "2024-03-18 10:00", "Theft", "", ""],  # row 9
        ["row-5", "2024-03-22 10:00", "Theft", "55.72", "37.60"],  # row 10: looks generated
    ]
    result = load(csv_bytes(rows))
    dup = result.incidents.set_index("source_row")["duplicate"].astype(object)
    assert dup.where(dup.notna(), None).to_dict() == {
        2: None,
        3: "id",
        4: "event",
        5: None,
        6: None,
        7: None,
        8: None,
        9: None,
        10: None,
    }
    assert result.incidents.set_index("source_row").loc[5, "incident_id"] == "row-5"
    assert (result.report.duplicates_id, result.report.duplicates_event) == (1, 1)
    keys = {m.key for m in result.report.issues}
    assert {"ingest.issue.duplicates_id", "ingest.issue.duplicates_event"} <= keys


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([55.7, 55.8, -0.0, 0.0]), st.integers(0, 2)),
        max_size=40,
    )
)
def test_fast_event_twins_equal_dataframe_duplicated(keys):
    frame = pd.DataFrame(keys, columns=["at", "lat", "code"], dtype=object).astype(
        {"at": "int64", "lat": "float64", "code": "int64"}
    )
    ours = repeats_numbers(
        frame["at"].to_numpy(), frame["lat"].to_numpy(), frame["code"].to_numpy()
    )
    np.testing.assert_array_equal(ours, frame.duplicated().to_numpy())
    # as the build passes them: seconds as datetime64, category codes as small integers
    as_built = repeats_numbers(
        frame["at"].to_numpy().astype("datetime64[s]"),
        frame["lat"].to_numpy(),
        (frame["code"].to_numpy() - 1).astype(np.int8),  # -1: a missing category
    )
    np.testing.assert_array_equal(as_built, frame.duplicated().to_numpy())
    # the keys mixed in blocks of 3 rows, two blocks at a time
    from ilp_core.data.ingest import _blocks

    with patch.object(_blocks, "THREADED_ROWS", 1), patch.object(_blocks, "BLOCK_ROWS", 3):
        in_blocks = repeats_numbers(
            frame["at"].to_numpy(), frame["lat"].to_numpy(), frame["code"].to_numpy()
        )
    np.testing.assert_array_equal(in_blocks, frame.duplicated().to_numpy())


def test_rows_without_a_place_or_a_date_are_never_event_twins():
    at = np.array(["2024-03-01", "2024-03-01", "NaT", "NaT", "2024-03-01"], "datetime64[s]")
    lat = np.array([np.nan, np.nan, 55.7, 55.7, 55.7])
    codes = np.zeros(5, dtype=np.int8)
    assert repeats_numbers(at, lat, codes).tolist() == [False] * 5
    # the same rows, loaded: only the twins with a place and a date are flagged
    text = (
        "date,offence,lat,lon\n2024-03-01,Theft,,\n2024-03-01,Theft,,\n"
        ",Theft,55.7,37.6\n2024-03-01,Theft,55.7,37.6\n2024-03-01,Theft,55.7,37.6\n"
    )
    result = ingest.load_incidents(text.encode(), "twins.csv")
    assert result.report.duplicates_event == 1
    assert result.incidents["duplicate"].astype(str).tolist()[-1] == "event"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "B", "ä", "a ", None]), max_size=30))
def test_fast_id_repeats_equal_series_duplicated(values):
    ours = repeats_text(pa.array(values, pa.large_string()))
    series = pd.Series(values, dtype=object)
    expected = series.duplicated().to_numpy() & series.notna().to_numpy()
    np.testing.assert_array_equal(ours, expected)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "B", "ä", "Ж", "a ", "", None]), max_size=30),
    st.booleans(),
    st.integers(0, 30),
)
def test_the_text_order_is_a_stable_sort_in_bytes_sorted_or_not(values, presort, cut):
    # The reference: Python's stable sort by the UTF-8 bytes, empty cells (None) last.
    # Columns sorted already (the ids of most exports) are found without sorting.
    if presort:
        values = sorted((v for v in values if v is not None), key=str.encode)
    present = sorted(
        (i for i, v in enumerate(values) if v is not None), key=lambda i: values[i].encode()
    )
    expected = present + [i for i, v in enumerate(values) if v is None]
    whole = pa.array(values, pa.large_string())
    chunked = pa.chunked_array([whole[:cut], whole[cut:]], pa.large_string())
    for column in (whole, chunked):
        assert text_order(column).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "B", "ä", "Ж", "a ", None]), st.booleans()),
        max_size=30,
    ),
    st.booleans(),
    st.integers(0, 30),
)
def test_id_repeats_among_kept_rows_from_the_order_of_every_row(rows, presort, cut):
    # the build sorts every row's id ahead; the repeats are then those of the kept rows
    # only (an id repeating a rejected row's is not a repeat). Ids in ascending order
    # already (most exports') are compared where they are, in the read's blocks.
    from ilp_core.data.ingest import _blocks

    if presort:
        rows = sorted(((v, k) for v, k in rows if v is not None), key=lambda r: r[0].encode())
    values = [v for v, _ in rows]
    kept = np.array([k for _, k in rows], dtype=bool)
    whole = pa.array(values, pa.large_string())
    every = pa.chunked_array([whole[:cut], whole[cut:]], pa.large_string())
    series = pd.Series([v for v, k in rows if k], dtype=object)
    expected = series.duplicated().to_numpy() & series.notna().to_numpy()
    ours = repeats_text(every.filter(pa.array(kept)), text_order(every), kept)
    np.testing.assert_array_equal(ours, expected)
    # compared a block of 3 rows of the order at a time, two blocks at a time
    with patch.object(_blocks, "THREADED_ROWS", 1), patch.object(_blocks, "BLOCK_ROWS", 3):
        ours = repeats_text(every.filter(pa.array(kept)), text_order(every), kept)
    np.testing.assert_array_equal(ours, expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True), st.booleans()), max_size=30))
def test_rows_kept_in_place_equal_a_mask(rows):
    from ilp_core.data.ingest import _blocks

    values = np.array([v for v, _ in rows], dtype=float)
    keep = np.array([k for _, k in rows], dtype=bool)
    with patch.object(_blocks, "THREADED_ROWS", 1), patch.object(_blocks, "BLOCK_ROWS", 4):
        ours = _blocks.compact(values.copy(), keep)
    np.testing.assert_array_equal(ours, values[keep])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1) | st.sampled_from([0, 7, 2**63]), max_size=30))
def test_sorting_in_two_halves_equals_numpy_sort(values):
    from ilp_core.data.ingest import _blocks

    numbers = np.array(values, dtype=np.uint64)
    with patch.object(_blocks, "THREADED_ROWS", 1):  # any length is split in two halves
        ours = numbers.copy()
        _blocks.sort_in_place(ours)
    np.testing.assert_array_equal(ours, np.sort(numbers))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(-(2**40), 2**40)),
        max_size=20,
    )
)
def test_seconds_turned_into_nanoseconds_in_place_equal_astype(seconds):
    # NaT, dates before 1677 and after 2262 (beyond nanoseconds: the copy astype makes)
    values = np.array(
        [np.datetime64("NaT") if s is None else np.datetime64(s, "s") for s in seconds],
        dtype="datetime64[s]",
    )
    try:
        expected = values.astype("datetime64[ns]")
    except OverflowError:  # numpy refuses what nanoseconds cannot hold: so must we
        with pytest.raises(OverflowError):
            nanoseconds_in_place(values.copy())
        return
    np.testing.assert_array_equal(nanoseconds_in_place(values.copy()), expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["b", "a", "Ж", "é", None]), st.booleans()), max_size=25))
def test_categories_of_the_kept_rows_equal_pandas(rows):
    values = pa.array([v for v, _ in rows], pa.large_string())
    keep = np.array([k for _, k in rows], dtype=bool)
    ours = kept_codes(categorical(values), keep)
    reference = pd.Categorical(pd.Series([v for v, k in rows if k], dtype=object), categories=None)
    assert list(ours.categories) == sorted(c for c in reference.categories)
    assert [None if pd.isna(x) else x for x in ours.astype(object)] == [v for v, k in rows if k]


# -- the report and the rejects --------------------------------------------------------------


def test_report_counts_at_a_glance():
    rows = [
        ["date", "offence", "lat", "lon"],
        ["2024-03-18", "Theft", "55.75", "37.61"],
        ["2024-03-20", "Theft", "55.76", "37.62"],
        ["2024-03-19", "Robbery", "55.74", "37.60"],
        ["2024-03-25", "", "55.74", "37.60"],
        ["someday", "Assault", "", ""],
    ]
    result = load(csv_bytes(rows))
    r = result.report
    assert (r.rows_read, r.accepted, r.rejected) == (5, 3, 2)
    assert str(r.period[0]) == "2024-03-18" and str(r.period[1]) == "2024-03-20"
    assert r.offence_counts.to_dict() == {"Theft": 2, "Robbery": 1}
    assert r.offence_counts.index.name == "offence"
    assert r.reject_counts.to_dict() == {"date_unreadable": 1, "offence_missing": 1}
    issue_keys = [m.key for m in r.issues]
    assert "ingest.issue.rejected_offence_missing" in issue_keys
    reading_keys = [m.key for m in r.readings]
    assert reading_keys[:3] == [
        "ingest.reading.file",
        "ingest.reading.encoding_utf_8",
        "ingest.reading.delimiter_comma",
    ]


def test_rejects_keep_the_source_columns_as_text():
    rows = [["id", "value", "offence"], ["1", "x", ""], ["2", "y", "Theft"]]
    result = load(
        csv_bytes(rows), mapping=ingest.ColumnMapping({"incident_id": "id", "offence": "offence"})
    )
    assert list(result.rejects.columns) == [
        "row_number",
        "reason",
        "column",
        "value",
        "expected",
        "id",
        "value.1",
        "offence",
    ]
    assert result.rejects.iloc[0][["row_number", "reason", "column", "id", "value.1"]].tolist() == [
        2,
        "offence_missing",
        "offence",
        "1",
        "x",
    ]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_rejects_for_display_in_every_language(lang):
    result = load(csv_bytes([["date", "offence"], ["2024-03-18", ""], ["bad", "Theft"]]))
    shown = ingest.rejects_for_display(result.rejects, lang)
    labels = [i18n.t(f"ingest.rejects.{k}", lang) for k in ("row_number", "reason", "explanation")]
    assert list(shown.columns[:3]) == labels
    assert shown.iloc[:, 0].tolist() == [2, 3]
    assert shown.iloc[:, 1].tolist() == ["offence_missing", "date_unreadable"]
    assert shown.iloc[0, 2] == ingest.reject_reason("offence_missing").render(lang)
    assert list(shown.columns[-2:]) == ["date", "offence"]
    assert list(result.rejects.columns[:2]) == ["row_number", "reason"]  # input untouched


def test_every_reason_has_a_sentence_in_every_language():
    for code in ingest.REASONS:
        for lang in i18n.LANGUAGES:
            text = ingest.reject_reason(code).render(lang)
            assert text and "{" not in text
            assert i18n.t(f"ingest.issue.rejected_{code}", lang, n=3)
    with pytest.raises(IlpInputError):
        ingest.reject_reason("too_ugly")
    with pytest.raises(IlpInputError):
        ingest.rejects_for_display(pd.DataFrame({"row_number": [1]}), "en")
    with pytest.raises(IlpInputError):
        ingest.rejects_for_display(pd.DataFrame(columns=list(ingest._results.REJECT_COLUMNS)), "de")


def test_every_message_key_built_at_run_time_exists():
    english = i18n.catalog("en")
    keys = [f"ingest.reason.{c}" for c in ingest.REASONS]
    keys += [f"ingest.issue.rejected_{c}" for c in ingest.REASONS]
    keys += [
        f"ingest.reading.encoding_{e}"
        for e in (
            "utf_8",
            "utf_8_sig",
            "utf_16",
            "utf_16_le",
            "utf_16_be",
            "utf_32",
            "cp1251",
            "cp1252",
            "latin_1",
        )
    ]
    keys += [f"ingest.reading.delimiter_{d}" for d in ("comma", "semicolon", "tab", "pipe", "none")]
    keys += [f"ingest.reading.order_user_{o}" for o in ("dmy", "mdy")]
    keys += [f"ingest.boundaries.{r}_column_not_found" for r in ("name", "population")]
    keys += [f"ingest.boundaries.guessed_{r}" for r in ("name", "population")]
    keys += [
        f"ingest.rejects.{k}"
        for k in ("row_number", "reason", "explanation", "column", "value", "expected")
    ]
    assert [k for k in keys if k not in english] == []


def test_every_report_message_renders_in_every_language():
    result = load(
        csv_bytes(
            [
                ["Дата", "Время", "Вид", "Широта", "Долгота"],
                ["18.03.2024", "23:45", "Кража", "55,75", "37,61"],
                ["19.03.2024", "", "", "0", "0"],
            ],
            delimiter=";",
            encoding="cp1251",
        ),
        mapping=ingest.ColumnMapping(
            {"date": "Дата", "time": "Время", "offence": "Вид", "lat": "Широта", "lon": "Долгота"}
        ),
    )
    for message in result.report.readings + result.report.issues:
        for lang in i18n.LANGUAGES:
            text = message.render(lang)
            assert "{" not in text, (message.key, lang)


def test_build_does_not_change_the_callers_table():
    raw = ingest.read_table(
        csv_bytes([["date", "offence", "lat", "lon"], ["2024-03-18", " Theft ", "55,75", "37,61"]])
    )
    before = raw.frame.copy()
    result = conserved(ingest.build_incidents(raw, ingest.suggest_mapping(raw.frame.columns)))
    pd.testing.assert_frame_equal(raw.frame, before)
    assert result.incidents["offence"].astype(str).tolist() == ["Theft"]  # trimmed


def test_mapping_used_is_returned_and_reusable():
    result = load(
        b"Date;Crime\n03/04/2024;Theft\n",
        mapping=ingest.ColumnMapping({"datetime": "Date", "offence": "Crime"}, date_order="mdy"),
    )
    again = ingest.ColumnMapping.from_json(result.mapping.to_json())
    assert again == result.mapping
    assert json.loads(result.mapping.to_json())["date_order"] == "mdy"


# -- the bundled sample ---------------------------------------------------------------------


@pytest.mark.skipif(not (SAMPLE / "incidents.csv").exists(), reason="no sample region yet")
def test_the_sample_region_maps_itself_and_every_row_is_accepted():
    districts = ingest.load_boundaries(SAMPLE / "districts.geojson")
    raw = ingest.read_table(SAMPLE / "incidents.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    assert dict(mapping.fields) == {
        "incident_id": "incident_id",
        "datetime": "occurred_at",
        "datetime_to": "occurred_to",
        "offence": "offence",
        "lat": "lat",
        "lon": "lon",
        "district": "district",
        "location_id": "location_id",
    }
    start = time.perf_counter()
    result = ingest.load_incidents(SAMPLE / "incidents.csv", districts=districts)
    seconds = time.perf_counter() - start
    with open(SAMPLE / "incidents.csv", encoding="utf-8") as f:
        lines = sum(1 for _ in f) - 1
    assert result.report.rows_read == lines
    assert result.report.rejected == 0, result.report.reject_counts.to_dict()
    assert result.report.accepted == lines
    coerced = schema.coerce_incidents(result.incidents)
    assert (coerced.dtypes == result.incidents.dtypes).all() and coerced.equals(result.incidents)
    assert seconds < 10  # about 0.5 s on a quiet 2-core machine; generous for shared CI


def test_the_worked_examples_in_the_docstrings_are_true():
    import doctest

    from ilp_core.data.ingest import (
        _blocks,
        _boundaries,
        _build,
        _common,
        _mapping,
        _reading,
        _results,
    )

    for module in (_blocks, _boundaries, _build, _common, _mapping, _reading, _results):
        failures, _tests = doctest.testmod(module)
        assert failures == 0, module.__name__


@pytest.mark.parametrize(
    "name", ["ru_cp1251.csv", "fr_latin1.csv", "es_export.csv", "sf_month.csv", "chicago_month.csv"]
)
def test_columns_cleaned_and_dates_read_two_at_a_time_give_the_same_load(name, monkeypatch):
    # Large tables are cleaned and read in blocks of rows, two blocks or columns at a
    # time, and sort their ids beside the other steps; the reference is the same file
    # read in one piece, one column after the other. Blocks of 3 rows cut the files'
    # rejects, dates and coordinates at every place.
    from ilp_core.data.ingest import _blocks

    path = ROOT / "tests" / "fixtures" / name
    monkeypatch.setattr(_blocks, "THREADED_ROWS", 10**12)
    alone = ingest.load_incidents(path)
    monkeypatch.setattr(_blocks, "THREADED_ROWS", 1)
    monkeypatch.setattr(_blocks, "BLOCK_ROWS", 3)
    together = ingest.load_incidents(path)
    pd.testing.assert_frame_equal(together.incidents, alone.incidents)
    pd.testing.assert_frame_equal(together.rejects, alone.rejects)
    for field in dataclasses.fields(alone.report):
        mine, reference = getattr(together.report, field.name), getattr(alone.report, field.name)
        if isinstance(reference, pd.Series):
            pd.testing.assert_series_equal(mine, reference)
        else:
            assert mine == reference, field.name


def _rows_of_a_day(order: str) -> list[list[object]]:
    # 400 incidents over 30 days, several at the same minute (ties), a rejected row,
    # the place and offence of each row tied to its id so a row can be followed
    rng = np.random.default_rng(11)
    minutes = np.sort(rng.integers(0, 30 * 1440, 400))
    minutes[10:14] = minutes[10]  # four at the same minute
    when = pd.Timestamp("2024-03-01") + pd.to_timedelta(minutes, "min")
    rows = [
        [f"id-{k}", f"{t:%Y-%m-%d %H:%M}", ["Theft", "Robbery"][k % 2], 45.5 + k * 1e-4, -30.5]
        for k, t in enumerate(when)
    ]
    rows[50][1] = "not a date"
    if order == "newest first":
        rows = rows[::-1]
    elif order == "shuffled":
        rows = [rows[k] for k in rng.permutation(len(rows))]
    return [["id", "date", "offence", "lat", "lon"], *rows]


@pytest.mark.parametrize("order", ["oldest first", "newest first", "shuffled"])
def test_the_rows_are_in_date_order_each_with_its_row_in_the_file(order):
    # The reference: the file's rows, read one by one (their row numbers count the
    # header as row 1), sorted by date with ties in the file's order (pandas' stable
    # sort); a file already in date order, either way, keeps its order.
    rows = _rows_of_a_day(order)
    result = conserved(load(csv_bytes(rows)))
    table = result.incidents
    read = pd.DataFrame(rows[1:], columns=rows[0]).assign(source_row=np.arange(2, len(rows) + 1))
    read = read[read["date"] != "not a date"]
    read["when"] = pd.to_datetime(read["date"])
    if order == "shuffled":
        read = read.sort_values("when", kind="stable")
    assert table["source_row"].tolist() == read["source_row"].tolist()
    assert table["incident_id"].tolist() == read["id"].tolist()
    assert (table["occurred_at"].to_numpy() == read["when"].to_numpy()).all()
    assert table["lat"].tolist() == read["lat"].astype(float).tolist()
    assert table["offence"].astype(str).tolist() == read["offence"].tolist()
    assert result.rejects["row_number"].tolist() == [
        2 + next(k for k, r in enumerate(rows[1:]) if r[1] == "not a date")
    ]
    said = [m for m in result.report.readings if m.key == "ingest.reading.date_order"]
    assert len(said) == (order == "shuffled")
    assert table["occurred_at"].is_monotonic_increasing or order == "newest first"


def test_offence_spellings_merge_as_pandas_maps_them():
    # The reference: each row's label mapped by pandas through the kept spelling of its
    # group (most frequent, then first in sorted order), missing values kept missing.
    from ilp_core import keys
    from ilp_core.data.ingest._offences import merge_spellings

    rng = np.random.default_rng(2)
    labels = ["Theft", "THEFT", "theft ", "Robbery", "Грабёж", "грабеж", "ГРАБЕЖ", None]
    rows = pd.Series(rng.choice(np.array(labels, dtype=object), 5_000, p=[*[0.13] * 7, 0.09]))
    merged, groups = merge_spellings(pd.Categorical(rows))
    counts = rows.value_counts()
    kept = {}
    for label in counts.index:
        group = [c for c in counts.index if keys.name_key(c) == keys.name_key(label)]
        kept[label] = min(group, key=lambda c: (-counts[c], c))
    expected = [None if pd.isna(v) else kept[v] for v in rows]
    assert [None if pd.isna(v) else v for v in merged] == expected
    assert list(merged.categories) == sorted(set(kept.values()))
    assert len(groups) == 2 and all(len(others) >= 1 for _, others in groups)


def test_mixed_numbers_that_collide_never_flag_a_row():
    # every row's keys mixed into the same number: only rows whose keys equal the
    # first row's are repeats (a 64-bit collision may miss a twin, never invent one)
    from ilp_core.data.ingest import _canonical

    at = np.array([1, 2, 2, 1, 3, 1], dtype=np.int64)
    lat = np.array([55.7, 55.8, 55.8, 55.7, 55.7, 55.7])
    expected = pd.DataFrame({"at": at, "lat": lat}).duplicated().to_numpy()

    def same_number(keys, start, stop, out):
        out[:] = 7
        return out

    with patch.object(_canonical, "_mix", same_number):
        collided = repeats_numbers(at, lat)
    np.testing.assert_array_equal(collided, [False, False, False, True, False, True])
    assert not (collided & ~expected).any()
    np.testing.assert_array_equal(repeats_numbers(at, lat), expected)
    # every row's top half the same, its number not: the rows sorted by their top
    # halves are candidates only, and the repeats are found as ever
    mix = _canonical._mix

    def same_top(keys, start, stop, out):
        mix(keys, start, stop, out)
        out[:] = (out & np.uint64(0xFFFFFFFF)) | np.uint64(7 << 32)
        return out

    with patch.object(_canonical, "_mix", same_top):
        np.testing.assert_array_equal(repeats_numbers(at, lat), expected)
