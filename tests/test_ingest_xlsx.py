"""The streaming Excel reader against openpyxl's own full load, and its bounds.

The reader of ``ilp_core/data/ingest/_xlsx.py`` parses workbooks itself (expat,
cell by cell) so memory follows the real cells. Its independent reference is
openpyxl's normal (not read-only) mode, which builds every cell: for generated
workbooks with gaps, types, dates in both calendar systems, styles and several
sheets, every cell of the table read must be the cell openpyxl holds, and every
row left out must be empty there.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from fixtures import bombs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ilp_core.data import ingest
from ilp_core.data.ingest._reading import unique_names
from ilp_core.data.ingest._xlsx import cell_text
from ilp_core.errors import IlpInputError

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
_VALUES = st.one_of(
    st.none(),
    _TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.times().map(lambda t: t.replace(microsecond=0)),
)


@st.composite
def sheets(draw):
    """Cells of a first sheet: title rows, a header, rows with gaps, typed cells, a far cell."""
    cells: dict[tuple[int, int], object] = {}
    title_rows = draw(st.integers(0, 2))
    for r in range(1, title_rows + 1):
        cells[r, 1] = f"Title {r}"
    width = draw(st.integers(1, 5))
    header = title_rows + 1
    for j in range(1, width + 1):
        name = draw(st.one_of(st.none(), st.sampled_from(["Date", "date", "Offence", "x", " "])))
        if name is not None:
            cells[header, j] = name
    row = header
    for _ in range(draw(st.integers(1, 8))):
        row += draw(st.integers(1, 3))  # gaps of empty rows
        for j in range(1, width + 2):
            value = draw(_VALUES)
            if value is not None:
                cells[row, j] = value
    if draw(st.booleans()):
        cells[draw(st.integers(row, row + 50)), draw(st.integers(1, 40))] = "far"
    return draw(st.booleans()), draw(st.booleans()), cells


def _workbook(mac_epoch: bool, second_sheet: bool, cells: dict) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    if mac_epoch:
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    for (r, c), value in cells.items():
        ws.cell(r, c, value)
    if second_sheet:
        wb.create_sheet("Other").append(["a", "b"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _reference(data: bytes) -> dict[tuple[int, int], str]:
    """Every non-empty cell of the first sheet as openpyxl's full load sees it, as text."""
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            text = cell_text(cell.value)[0]
            if text is not None:
                cells[cell.row, cell.column] = text
    return cells


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=sheets())
# found by Hypothesis: a blank cell on a row with no other value (an IndexError)
@example(spec=(False, False, {(1, 1): "Title 1", (2, 1): " "}))
def test_every_cell_read_is_the_cell_openpyxl_holds(spec):
    data = _workbook(*spec)
    cells = _reference(data)
    try:
        raw = ingest.read_table(data, "gen.xlsx")
    except IlpInputError as error:  # nothing but blanks, or a header without rows
        assert error.message.key in ("ingest.empty_file", "ingest.no_data_rows")
        header = error.message.params.get("header_row", 0)
        assert not [r for r, _ in cells if r > header]
        return
    header = raw.header_row
    width = max(c for _, c in cells)
    names = unique_names([cells.get((header, j), "") for j in range(1, width + 1)])
    position = {name: j + 1 for j, name in enumerate(names)}
    # every cell of the table is openpyxl's cell at that row and column
    for row_number, values in raw.frame.iterrows():
        for name, value in values.items():
            expected = cells.get((row_number, position[name]))
            assert (None if isinstance(value, float) else value) == expected, (row_number, name)
    # and nothing is left out: every cell below the header is in the table
    below = {(r, c) for r, c in cells if r > header}
    assert {r for r, _ in below} == set(raw.frame.index)
    assert {names[c - 1] for _, c in below} <= set(raw.frame.columns)
    assert raw.empty_rows == max(r for r, _ in below) - header - len(raw.frame)


def test_cells_are_at_their_columns_and_rows_across_gaps():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["D1"] = "Date", "Offence", "Notes"
    ws["A2"], ws["B2"] = dt.datetime(2024, 3, 1, 14, 5), "Theft"
    ws["A5"], ws["D5"] = dt.date(2024, 3, 2), "  spaced  "
    ws["F9"] = 3.25
    buf = io.BytesIO()
    wb.save(buf)
    raw = ingest.read_table(buf.getvalue(), "g.xlsx")
    assert list(raw.frame.columns) == ["Date", "Offence", "Notes", "column_6"]
    assert raw.frame.index.tolist() == [2, 5, 9]
    assert raw.frame.loc[2, "Date"] == "2024-03-01 14:05:00"
    assert raw.frame.loc[5, "Date"] == "2024-03-02"
    assert raw.frame.loc[5, "Notes"] == "  spaced  "
    assert raw.frame.loc[9, "column_6"] == "3.25"
    assert (raw.empty_rows, raw.dropped_columns) == (5, 2)  # rows 3, 4, 6-8; columns C, E
    assert raw.column_types == {"Date": "datetime", "Offence": "text", "Notes": "text",
                                "column_6": "number"}  # fmt: skip


def test_the_declared_dimension_is_ignored_and_the_real_cells_are_read():
    raw = ingest.read_table(bombs.xlsx_dimension(), "dim.xlsx")
    assert list(raw.frame.columns) == ["date", "offence"]
    assert raw.frame.index.tolist() == [1_048_576]
    assert raw.empty_rows == 1_048_574


def test_cells_far_apart_are_read_without_building_the_space_between():
    raw = ingest.read_table(bombs.xlsx_corner_cells(), "corner.xlsx")
    assert list(raw.frame.columns) == ["date", "x"]
    assert raw.frame.index.tolist() == [2, 1_048_576]
    assert raw.dropped_columns == 16_382  # B to XFC: no header and no value


def test_excel_escapes_of_control_characters_are_undone():
    wb = openpyxl.Workbook()
    wb.active.append(["date", "notes"])
    wb.active.append(["2024-01-01", "line_x000D_break"])
    buf = io.BytesIO()
    wb.save(buf)
    assert ingest.read_table(buf.getvalue(), "e.xlsx").frame["notes"].tolist() == ["line\rbreak"]


def _with_sheet_xml(xml: str) -> bytes:
    """A valid workbook whose first sheet's XML is replaced by ``xml``."""
    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = xml.encode()
            dst.writestr(item, body)
    return out.getvalue()


_HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    "xml",
    [
        # an entity expansion ("billion laughs"): no document type is accepted at all
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + _HEAD + "<sheetData><row>"
        '<c t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>',
        # elements nested 200 deep
        _HEAD + "<sheetData>" + "<x>" * 200 + "</x>" * 200 + "</sheetData></worksheet>",
        # one tag of 6 MB
        _HEAD + '<sheetData><row><c r="A1" s="' + "1" * 6_000_000 + '"/></row></sheetData>',
        # a shared string index that does not exist
        _HEAD + '<sheetData><row><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>',
        # a cell reference that is not one
        _HEAD + '<sheetData><row><c r="A1B"><v>1</v></c></row></sheetData></worksheet>',
    ],
    ids=["entities", "nesting", "huge-tag", "shared-index", "reference"],
)
def test_hostile_or_damaged_sheet_xml_is_refused_as_damaged(xml):
    with pytest.raises(IlpInputError) as error:
        ingest.read_table(_with_sheet_xml(xml), "h.xlsx")
    assert error.value.message.key == "ingest.xlsx_unreadable"


def test_a_long_inline_cell_names_its_row_and_column():
    xml = (
        _HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>notes</t></is></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>' + "y" * 40_000 + "</t></is></c></row>"
        "</sheetData></worksheet>"
    )
    with pytest.raises(IlpInputError) as error:
        ingest.read_table(_with_sheet_xml(xml), "long.xlsx")
    assert error.value.message.key == "ingest.limit.cell_chars"
    assert (error.value.rows, error.value.columns) == ((4,), ("A",))
