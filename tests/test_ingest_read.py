"""Reading files: formats, encodings, delimiters, header rows, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fixtures.ingest_make import conserved, csv_bytes, load, parquet_bytes, rejected, xlsx_bytes
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ilp_core.data import ingest
from ilp_core.errors import IlpInputError

RU_ROWS = [
    ["Дата", "Вид преступления", "Широта", "Долгота", "Район"],
    ["01.03.2024 14:05", "Кража", "55,7512", "37,6184", "Тверской"],
    ["02.03.2024 09:30", "Грабёж", "55,7601", "37,6242", "Тверской"],
    ["03.03.2024 22:10", "Мошенничество", "55,7420", "37,6030", "Арбат"],
]
FR_ROWS = [
    ["date des faits", "infraction", "latitude", "longitude", "commune"],
    ["18/03/2024", "Dégradation de véhicule", "48.8566", "2.3522", "Paris 4e"],
    ["19/03/2024", "Vol à l'étalage", "48.8570", "2.3530", "Paris 4e"],
    ["20/03/2024", "Escroquerie", "48.8580", "2.3490", "Paris 1er"],
]


def _encoded(rows, encoding, delimiter=";"):
    return csv_bytes(rows, delimiter=delimiter, encoding=encoding)


# -- encodings ----------------------------------------------------------------------------


def test_russian_windows_1251_file_is_detected_and_read_right():
    raw = ingest.read_table(_encoded(RU_ROWS, "cp1251"), "отчёт.csv")
    assert raw.encoding == "cp1251"
    assert list(raw.frame.columns) == RU_ROWS[0]
    assert raw.frame["Вид преступления"].tolist() == ["Кража", "Грабёж", "Мошенничество"]
    result = load(_encoded(RU_ROWS, "cp1251"), "отчёт.csv")
    assert result.report.accepted == 3
    assert sorted(result.incidents["offence"].astype(str)) == ["Грабёж", "Кража", "Мошенничество"]


def test_french_latin_1_file_is_detected_and_read_right():
    raw = ingest.read_table(_encoded(FR_ROWS, "latin-1"), "faits.csv")
    assert raw.encoding == "latin-1"
    assert raw.frame["infraction"].tolist()[:2] == ["Dégradation de véhicule", "Vol à l'étalage"]
    assert raw.frame.index.tolist() == [2, 3, 4]


def test_the_letter_rule_agrees_with_charset_normalizer_on_both_files():
    from charset_normalizer import from_bytes

    for rows, encoding in ((RU_ROWS, "cp1251"), (FR_ROWS, "latin-1")):
        data = _encoded(rows * 20, encoding)
        best = from_bytes(data, cp_isolation=["cp1251", "latin_1"]).best()
        assert best is not None
        assert best.encoding.replace("_", "-") == encoding
        assert ingest.read_table(data, "x.csv").encoding == encoding


def test_windows_1252_quotes_and_euro_sign_are_read_as_cp1252():
    rows = [["date", "infraction", "préjudice"], ["2024-03-18", "Vol d’un vélo", "350 €"]]
    raw = ingest.read_table(csv_bytes(rows, delimiter=";", encoding="cp1252"), "x.csv")
    assert raw.encoding == "cp1252"
    assert raw.frame.iloc[0].tolist() == ["2024-03-18", "Vol d’un vélo", "350 €"]


@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
    ],
)
def test_unicode_files_with_and_without_bom(encoding, bom, detected):
    data = bom + csv_bytes(RU_ROWS, delimiter=";", encoding=encoding)
    raw = ingest.read_table(data, "x.csv")
    assert raw.encoding == detected
    # the BOM never sticks to the first column name
    assert list(raw.frame.columns) == RU_ROWS[0]
    assert raw.frame["Район"].tolist() == ["Тверской", "Тверской", "Арбат"]
    result = load(data)
    assert result.report.accepted == 3
    assert result.report.readings[1].key == f"ingest.reading.encoding_{detected.replace('-', '_')}"


def test_utf16_without_bom_is_recognised_from_its_zero_bytes():
    data = csv_bytes([["date", "offence"], ["2024-03-18", "Theft"]], encoding="utf-16-le")
    raw = ingest.read_table(data, "x.csv")
    assert raw.encoding == "utf-16-le"
    assert raw.frame.to_dict("list") == {"date": ["2024-03-18"], "offence": ["Theft"]}


@settings(max_examples=400, deadline=None)
@example(b"\xed\xa0\x80")  # a surrogate
@example(b"\xc0\xaf")  # an overlong slash
@example(b"\xf4\x90\x80\x80")  # beyond U+10FFFF
@example(b"ok\xe2\x82")  # cut in the middle of a character
@example("Кража €😀".encode())
@given(
    st.binary(max_size=40) | st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_the_utf8_check_agrees_with_python_on_any_bytes(data):
    """Arrow's in-place check says what ``bytes.decode`` says, surrogates included."""
    from ilp_core.data.ingest import _encoding

    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert _encoding.is_utf8(data) is expected


@pytest.mark.parametrize("encoding", ["cp1251", "cp1252", "latin-1"])
def test_one_byte_encodings_are_transcoded_block_by_block_exactly(encoding, monkeypatch):
    """Blocks of 7 bytes (Cyrillic, accents and the euro sign cut anywhere) give the
    same UTF-8 as decoding the whole file."""
    from ilp_core.data.ingest import _encoding

    monkeypatch.setattr(_encoding, "_TRANSCODE_BLOCK", 7)
    text = {"cp1251": "Дата;Вид\n01.03.2024;Кража «велосипеда» №5\n"}.get(
        encoding, "date;infraction\n2024-03-18;Vol d’un vélo à 350 €, œuvre\n"
    )
    if encoding == "latin-1":
        text = text.replace("’", "'").replace("€", "EUR").replace("œ", "oe")
    data = text.encode(encoding) * 5
    out = _encoding.transcode(data, encoding, "x.csv")
    assert bytes(out) == data.decode(encoding).encode("utf-8")
    raw = ingest.read_table(data, "x.csv")
    assert raw.encoding == encoding
    assert raw.frame.iloc[0].tolist() == text.splitlines()[1].split(";")


def test_a_byte_windows_1252_does_not_define_is_a_broken_encoding():
    from ilp_core.data.ingest import _encoding

    with pytest.raises(IlpInputError) as caught:
        _encoding.transcode("vélo €".encode("cp1252") + b"\x81", "cp1252", "x.csv")
    assert caught.value.message.key == "ingest.encoding_broken"


# -- delimiters and layout -----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    rows = [["id", "date", "offence", "lat", "lon"]] + [
        [f"A{i}", f"2024-03-{i + 10} 10:00", "Theft", "51.5", "-0.12"] for i in range(5)
    ]
    raw = ingest.read_table(csv_bytes(rows, delimiter=delimiter), "x.txt")
    assert raw.delimiter == delimiter
    assert list(raw.frame.columns) == rows[0]
    assert raw.frame["id"].tolist() == [f"A{i}" for i in range(5)]


def test_semicolons_win_over_decimal_commas():
    rows = [["date", "offence", "lat", "lon"], ["2024-03-18", "Theft", "55,75", "37,61"]] * 1
    rows += [["2024-03-19", "Theft", "55,76", "37,62"]]
    raw = ingest.read_table(csv_bytes(rows, delimiter=";"), "x.csv")
    assert raw.delimiter == ";"
    assert raw.frame["lat"].tolist() == ["55,75", "55,76"]


def test_all_columns_are_text_and_nothing_is_interpreted():
    raw = ingest.read_table(b"id,zip,when\n007,01234,2024-03-18\n008,,\n", "x.csv")
    assert all(str(t) == "str" for t in raw.frame.dtypes)
    assert raw.frame["id"].tolist() == ["007", "008"]  # leading zeros kept
    assert raw.frame["zip"].isna().tolist() == [False, True]


def test_quoted_cells_with_delimiters_and_line_breaks_keep_spreadsheet_row_numbers():
    data = b'id,offence,note\n1,Theft,"a, b"\n2,Robbery,"two\nlines"\n3,Assault,plain\n'
    raw = ingest.read_table(data, "x.csv")
    assert raw.frame["note"].tolist() == ["a, b", "two\nlines", "plain"]
    # a spreadsheet shows the quoted line break inside one cell: rows 2, 3, 4
    assert raw.frame.index.tolist() == [2, 3, 4]


def test_blank_lines_are_skipped_but_row_numbers_stay_as_in_a_spreadsheet():
    data = b"id,offence\n1,Theft\n\n2,Robbery\n,\n3,Assault\n\n\n"
    raw = ingest.read_table(data, "x.csv")
    assert raw.frame.index.tolist() == [2, 4, 6]
    assert raw.empty_rows == 2  # the blank line (row 3) and the row of empty cells (row 5)
    result = load(data)
    assert result.incidents["source_row"].tolist() == [2, 4, 6]
    assert result.report.rows_read == 3


def test_title_rows_above_the_header_are_skipped():
    data = csv_bytes(
        [
            ["Отчёт о преступлениях за март 2024", "", "", ""],
            ["", "", "", ""],
            ["Дата", "Вид преступления", "Широта", "Долгота"],
            ["01.03.2024", "Кража", "55,75", "37,61"],
        ],
        delimiter=";",
        encoding="cp1251",
    )
    raw = ingest.read_table(data, "x.csv")
    assert raw.header_row == 3
    assert list(raw.frame.columns) == ["Дата", "Вид преступления", "Широта", "Долгота"]
    assert raw.frame.index.tolist() == [4]
    assert any(m.key == "ingest.reading.header_row" for m in raw.readings)


def test_ragged_rows_short_padded_long_rejected_with_their_row_number():
    data = (
        b"id,date,offence,lat,lon\n"
        b"1,2024-03-18,Theft,51.5,-0.12\n"
        b"2,2024-03-18,Theft\n"  # short: padded, kept without coordinates
        b"3,2024-03-18,Theft,51.5,-0.12,oops,more\n"  # long: rejected
        b"4,2024-03-18,Theft,51.5,-0.12,\n"  # one empty extra cell: harmless
    )
    raw = ingest.read_table(data, "x.csv")
    assert raw.padded_rows == 1
    assert dict(raw.extra_cells) == {4: "oops,more"}
    result = load(data)
    assert rejected(result) == [(4, "row_extra_cells")]
    assert result.rejects["value"].tolist() == ["oops,more"]
    assert result.incidents["source_row"].tolist() == [2, 3, 5]
    assert any(m.key == "ingest.issue.padded_rows" for m in result.report.issues)


def test_repeated_and_empty_header_names_are_made_unique():
    raw = ingest.read_table(b"Date,Date,,Offence\n2024-03-18,2024-03-19,x,Theft\n", "x.csv")
    assert list(raw.frame.columns) == ["Date", "Date.1", "column_3", "Offence"]


def test_a_trailing_delimiter_on_every_line_leaves_no_phantom_column():
    raw = ingest.read_table(b"date;offence;\n2024-03-18;Theft;\n2024-03-19;Robbery;\n", "x.csv")
    assert list(raw.frame.columns) == ["date", "offence"]
    assert raw.dropped_columns == 1


# -- xlsx and parquet ---------------------------------------------------------------------


def test_xlsx_first_sheet_by_default_and_named_sheet_on_request():
    data = xlsx_bytes(
        [["Date", "Offence"], [dt.datetime(2024, 3, 18, 23, 45), "Theft"]],
        sheet="March",
        extra={"April": [["Date", "Offence"], [dt.datetime(2024, 4, 2, 8, 0), "Robbery"]]},
    )
    first = ingest.read_table(data, "book.xlsx")
    assert (first.format, first.sheet, first.sheets) == ("xlsx", "March", ("March", "April"))
    assert first.frame["Offence"].tolist() == ["Theft"]
    april = ingest.read_table(data, "book.xlsx", sheet="April")
    assert april.frame["Offence"].tolist() == ["Robbery"]
    with pytest.raises(IlpInputError) as err:
        ingest.read_table(data, "book.xlsx", sheet="May")
    assert err.value.message.key == "ingest.sheet_not_found"
    assert "March, April" in err.value.render("en")


def test_xlsx_cells_become_text_and_row_numbers_match_excel():
    data = xlsx_bytes(
        [
            ["Crime report", None, None],
            [None, None, None],
            ["Date", "Offence", "Count"],
            [dt.datetime(2024, 3, 18, 23, 45), "Theft", 3],
            [None, None, None],
            [dt.date(2024, 3, 19), "Robbery", 2.5],
        ]
    )
    raw = ingest.read_table(data, "x.xlsx")
    assert raw.header_row == 3
    assert raw.frame.index.tolist() == [4, 6]
    assert raw.frame["Date"].tolist() == ["2024-03-18 23:45:00", "2024-03-19"]
    assert raw.frame["Count"].tolist() == ["3", "2.5"]
    assert raw.column_types == {"Date": "datetime", "Offence": "text", "Count": "number"}


def test_parquet_typed_columns_become_text():
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "when": pd.to_datetime(["2024-03-18 23:45", "2024-03-19 08:00"]),
            "offence": pd.Categorical(["Theft", "Robbery"]),
            "lat": [51.5, np.nan],
        }
    )
    raw = ingest.read_table(parquet_bytes(frame), "x.parquet")
    assert raw.format == "parquet"
    assert raw.frame["when"].tolist() == ["2024-03-18 23:45:00", "2024-03-19 08:00:00"]
    assert raw.frame["id"].tolist() == ["1", "2"]
    assert raw.frame["lat"].tolist()[0] == "51.5" and pd.isna(raw.frame["lat"].tolist()[1])
    result = load(parquet_bytes(frame), "x.parquet")
    assert result.report.accepted == 2


def test_read_from_path_bytes_and_file_object_give_the_same_table(tmp_path):
    data = csv_bytes(RU_ROWS, delimiter=";", encoding="cp1251")
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    a = ingest.read_table(path)
    b = ingest.read_table(data, "x.csv")
    c = ingest.read_table(io.BytesIO(data), "x.csv")
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.frame, c.frame)
    assert a.filename == "x.csv"


# -- files that cannot be read: one clear error, nothing else ------------------------------


def _broken_xlsx():
    good = xlsx_bytes([["Date", "Offence"], ["2024-03-18", "Theft"]])
    return good[: len(good) // 2]


def _png():
    return b"\x89PNG\r\n\x1a\n" + bytes(
        np.random.default_rng(1).integers(0, 256, 500, dtype=np.uint8)
    )


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"", "empty.csv", "ingest.empty_file"),
        (b"  \r\n\r\n  ", "blank.csv", "ingest.empty_file"),
        (b"\xef\xbb\xbf", "bom-only.csv", "ingest.empty_file"),
        (b"date,offence,lat\n", "header-only.csv", "ingest.no_data_rows"),
        (b"date,offence\n,\n\n", "empty-rows.csv", "ingest.no_data_rows"),
        (_png(), "photo.csv", "ingest.binary_file"),
        (
            bytes(np.random.default_rng(2).integers(0, 256, 4000, dtype=np.uint8)),
            "x.csv",
            "ingest.binary_unknown",
        ),
        (_broken_xlsx(), "broken.xlsx", "ingest.xlsx_unreadable"),
        (b"date,offence\n2024-03-18,Theft\n", "renamed.xlsx", "ingest.xlsx_unreadable"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "old.xls",
            "ingest.xls_not_supported",
        ),
        (b"PAR1garbage", "x.parquet", "ingest.parquet_unreadable"),
        (b"%PDF-1.7\n...", "report.csv", "ingest.binary_file"),
    ],
)
def test_unreadable_files_raise_one_clear_error(data, name, key):
    with pytest.raises(IlpInputError) as err:
        ingest.load_incidents(data, name)
    assert err.value.message.key == key
    for lang in ("en", "ru", "fr", "es"):
        text = err.value.render(lang)
        assert name in text or "{" not in text


def test_a_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("districts.shp", b"x")
    with pytest.raises(IlpInputError) as err:
        ingest.read_table(buf.getvalue(), "districts.zip")
    assert err.value.message.key == "ingest.zip_not_table"


def test_one_column_text_without_a_usable_field_is_refused():
    data = b"Notes\nCalled back\nNo answer\n"
    raw = ingest.read_table(data, "notes.txt")
    assert raw.delimiter is None and list(raw.frame.columns) == ["Notes"]
    with pytest.raises(IlpInputError) as err:
        ingest.load_incidents(data, "notes.txt")
    assert err.value.message.key == "ingest.no_usable_columns"


def test_one_column_file_of_offences_is_usable():
    result = load(b"offence\nTheft\nRobbery\n\nTheft\n", "one.csv")
    assert result.report.accepted == 3
    assert result.incidents["offence"].astype(str).tolist() == ["Theft", "Robbery", "Theft"]
    assert result.incidents["source_row"].tolist() == [2, 3, 5]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(IlpInputError) as err:
        ingest.read_table(tmp_path / "nope.csv")
    assert err.value.message.key == "ingest.file_not_found"


# -- uploads stay in memory ---------------------------------------------------------------


def _listing(folder):
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def test_uploads_never_touch_the_disk(monkeypatch, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    def refuse(*_args, **_kwargs):
        raise AssertionError("an upload was written to a temporary file")

    for name in (
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "TemporaryDirectory",
    ):
        monkeypatch.setattr(tempfile, name, refuse)
    monkeypatch.chdir(tmp_path)
    before_cwd = _listing(tmp_path)

    uploads = [
        (csv_bytes(RU_ROWS, delimiter=";", encoding="cp1251"), "a.csv"),
        (xlsx_bytes([["Date", "Offence"], [dt.datetime(2024, 3, 18), "Theft"]]), "b.xlsx"),
        (parquet_bytes(pd.DataFrame({"date": ["2024-03-18"], "offence": ["Theft"]})), "c.parquet"),
    ]
    for data, name in uploads:
        conserved(ingest.load_incidents(data, name))

    districts = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    assert len(ingest.load_boundaries(districts.to_json().encode(), "d.geojson")) == 1
    assert _listing(tmp_path) == before_cwd


# -- a large file read by Arrow from the disk, not held whole ------------------------------

_FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
_EDGES = {
    "trailing_lines.csv": b"date,offence\n2024-03-18,Theft\n\n\n",
    "crlf.csv": b"date,offence\r\n2024-03-18,Theft\r\n2024-03-19,Robbery\r\n",
    "old_mac.csv": b"date,offence\r2024-03-18,Theft\r2024-03-19,Robbery\r",
    "bom.csv": "\ufeffdate;offence\n18.03.2024;Кража\n".encode(),
    "cp1251.csv": "date;offence\n18.03.2024;Кража\n".encode("cp1251"),
    "ragged.csv": b"date,offence\n2024-03-18,Theft,extra\n2024-03-19\n",
    "cut_letter.csv": "date,offence\n2024-03-18,Кража\n".encode()[:-2],
    "ctrl_z.csv": b"date,offence\n2024-03-18,Theft\n\x1a",
    "no_end.csv": "date,offence\n2024-03-18,Кража".encode(),
    # past the first 256 kB, where only Arrow's reading checks the text
    "late_cp1251.csv": b"date,offence\n"
    + b"2024-03-18,Theft\n" * 20_000
    + "2024-03-19,Кража\n".encode("cp1251"),
    "late_cut_letter.csv": b"date,offence\n"
    + b"2024-03-18,Theft\n" * 20_000
    + "2024-03-19,Кража\n".encode()[:-2],
}


@pytest.mark.parametrize(
    "name",
    sorted(f for f in os.listdir(_FIXTURES) if f.endswith(".csv")) + sorted(_EDGES),
)
def test_a_file_read_from_the_disk_equals_its_bytes_read_in_memory(name, monkeypatch, tmp_path):
    # a large file is checked block by block and read by Arrow from the disk, or read
    # whole when it must be (another encoding, a byte-order mark, extra line breaks):
    # in every case the same table as its bytes give, blocks of 5 bytes cutting letters
    from ilp_core.data.ingest import _reading

    path = tmp_path / name
    path.write_bytes(_EDGES[name] if name in _EDGES else Path(_FIXTURES, name).read_bytes())
    monkeypatch.setattr(_reading, "STREAM_FROM", 0)
    monkeypatch.setattr(_reading, "_STREAM_BLOCK", 5)
    try:
        expected = ingest.read_table(path.read_bytes(), name)
    except IlpInputError as error:
        with pytest.raises(IlpInputError) as raised:
            ingest.read_table(path)
        assert raised.value.message == error.message
        return
    ours = ingest.read_table(path)
    pd.testing.assert_frame_equal(ours.frame, expected.frame)
    for field in (
        "encoding",
        "delimiter",
        "header_row",
        "empty_rows",
        "padded_rows",
        "extra_cells",
    ):
        assert getattr(ours, field) == getattr(expected, field), field


def test_a_transcoded_file_lets_its_bytes_go_before_its_text_is_read(monkeypatch, tmp_path):
    # a Windows-1251 file read from its path: its bytes (0.9 GB of a 10,000,000-row
    # export) are no longer held once turned into UTF-8, while the text is read
    import gc

    from ilp_core.data.ingest import _reading

    freed = []

    class Held(bytes):  # bytes that say when they go
        def __del__(self):
            freed.append(True)

    path = tmp_path / "ru.csv"
    path.write_bytes("Дата;Вид\n01.03.2024;Кража\n".encode("cp1251"))
    alive = []
    real_source, real_parse = _reading.read_source, _reading._parse_text

    def source(*args):
        data, name = real_source(*args)
        return Held(data), name

    def parse(*args, **kwargs):
        gc.collect()
        alive.append(not freed)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(_reading, "read_source", source)
    monkeypatch.setattr(_reading, "_parse_text", parse)
    table = ingest.read_table(path)
    assert table.encoding == "cp1251" and table.frame["Вид"].tolist() == ["Кража"]
    assert alive == [False]


def test_a_large_plain_file_is_read_from_the_disk(monkeypatch, tmp_path):
    from ilp_core.data.ingest import _reading

    path = tmp_path / "big.csv"
    path.write_bytes(b"date,offence\n" + "2024-03-18,Кража\n".encode() * 1000)
    monkeypatch.setattr(_reading, "STREAM_FROM", 0)
    read = []
    original = _reading._arrow_csv
    monkeypatch.setattr(
        _reading, "_arrow_csv", lambda source, *a: read.append(source) or original(source, *a)
    )
    table = ingest.read_table(path)
    assert read == [str(path)] and len(table.frame) == 1000
    assert table.frame["offence"].iloc[-1] == "Кража"


@pytest.mark.parametrize("plain", [False, True], ids=["any cells", "no spaces"])
def test_cleaning_trims_the_spaces_python_trims_and_blanks_the_no_value_words(plain):
    # The reference is Python's str.strip(), whose white space (bidirectional classes WS,
    # B, S and category Zs) is Arrow's; then an empty cell or a "no value" word is None.
    from ilp_core.data.ingest._common import _missing_variants, clean_text

    spaces = [" ", "\t", "\r\n", "\x1c", "\x85", "\xa0", "\u1680", "\u2003", "\u2028", "\u202f"]
    spaces += ["\u205f", "\u3000"]
    letters = ["a", "Z", "7", "45.5", "р", "с", "ъ", "é", "日", "NA", "null", "-"]
    pieces = letters if plain else [*letters, "€", "—", *spaces]
    rng = np.random.default_rng(3)
    cells = [
        None if rng.random() < 0.05 else "".join(rng.choice(pieces, rng.integers(0, 4)))
        for _ in range(5_000)
    ]
    words = set(_missing_variants().to_pylist())

    def reference(cell):
        text = None if cell is None else cell.strip()
        return None if text is None or text == "" or text in words else text

    expected = [reference(c) for c in cells]
    assert any(c != e for c, e in zip(cells, expected, strict=True))  # something to clean
    chunked = pa.chunked_array(
        [pa.array(cells[i : i + 333], pa.string()) for i in range(0, 5_000, 333)]
    )
    assert clean_text(chunked).to_pylist() == expected
    assert clean_text(pa.array(cells, pa.large_string())).to_pylist() == expected
    # a slice of a longer array, as the build cleans a block of rows
    whole = pa.array(cells, pa.large_string())
    assert clean_text(whole.slice(7, 4_000)).to_pylist() == expected[7:4_007]
    padded = pa.array(["  x  "] * 7 + [c.strip() if c else c for c in cells], pa.large_string())
    assert clean_text(padded.slice(7)).to_pylist() == expected
