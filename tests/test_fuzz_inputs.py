"""Whatever the input, every public loader and exporter answers or says what is wrong.

Each loader of user files (incident tables, boundaries, the intelligence log, the
current allocation, saved assessments, column mappings, the workshop scenario and
answers, saved JSON in general) and each exporter (CSV, Excel, GeoJSON) is given
random bytes, mutated copies of valid files, files built from hostile cells and
hostile XML, JSON of any shape and depth, and tables of any text: the only
exception that may leave it is :class:`IlpInputError`, whose message a page shows.
Anything else would reach a page as Streamlit's redacted error box.

25 examples per loader keep the suite quick; a deeper search before a release:
``ILP_FUZZ_EXAMPLES=1000 pytest tests/test_fuzz_inputs.py`` (400 pass).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures.ingest_make import FIXTURES, xlsx_bytes
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from ilp_core import checks
from ilp_core.data import ingest
from ilp_core.decide import allocation, priorities
from ilp_core.errors import IlpInputError
from ilp_core.learn import workshop
from ilp_core.products import export, intelligence

FUZZ = settings(
    max_examples=int(os.environ.get("ILP_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- seeds: one small valid file of each kind ------------------------------------------------

CSV_SEED = b"".join((FIXTURES / "police_uk_street.csv").read_bytes().splitlines(True)[:6])
XLSX_SEED = xlsx_bytes(
    [["Date", "Offence", "Lat", "Lon"], [dt.datetime(2024, 3, 1, 14, 5), "Theft", 51.5, -0.12]]
)
_buf = io.BytesIO()
pq.write_table(
    pa.table({"date": ["2024-03-01"], "offence": ["Theft"], "lat": [51.5], "lon": [-0.12]}), _buf
)
PARQUET_SEED = _buf.getvalue()
GEOJSON_SEED = (
    gpd.GeoDataFrame(
        {"name": ["North"], "population": [1200]},
        geometry=[Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])],
        crs="EPSG:4326",
    )
    .to_json()
    .encode()
)


def _zipped_shapefile() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        gpd.read_file(io.BytesIO(GEOJSON_SEED)).to_file(Path(tmp) / "d.shp")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for part in Path(tmp).iterdir():
                z.write(part, "folder/" + part.name)
        return out.getvalue()


SHAPEFILE_SEED = _zipped_shapefile()
ASSESSMENT_SEED = priorities.make_assessment(priorities.preset("morile"), fingerprint="f").to_json()
MAPPING_SEED = ingest.suggest_mapping(["date", "offence", "lat", "lon"]).to_json()
LOG_SEED = b"date,summary,source,information,handling\n2025-01-05,Tip-off,B,2,H0\n"
CURRENT_SEED = b"district,hours_per_week\nA,40\nB,24\n"
SCENARIO_SEED = (Path(workshop.__file__).parent.parent / "config" / "workshop.yaml").read_text(
    encoding="utf-8"
)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """A valid file with a few random edits: flipped, inserted, deleted or repeated bytes."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 20))
    return bytes(data)


def _fails_only_with_a_message(func, *args, **kwargs) -> None:
    try:
        func(*args, **kwargs)
    except IlpInputError as error:
        assert error.render("ru")  # the message renders, in another language too


# -- incident tables ------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
HOSTILE_CELLS = st.one_of(
    ANY_TEXT,
    st.sampled_from(['"', '""', "\x00", "\r", "\n", ";", ",", "\t", "|", "\u202e", "=1+1", "é"]),
    st.text(alphabet='",;\n\r\t\x00a', max_size=10),
)


@st.composite
def delimited(draw) -> bytes:
    """Text tables of hostile cells, ragged rows, any delimiter and encoding."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(HOSTILE_CELLS, max_size=6), max_size=8))
    text = "\n".join(delimiter.join(r) for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "latin-1"]))
    return text.encode(encoding, errors="replace")


INCIDENT_FILES = st.one_of(
    st.binary(max_size=600),
    delimited(),
    mutated(CSV_SEED),
    mutated(XLSX_SEED),
    mutated(PARQUET_SEED),
)
NAMES = st.sampled_from(["x.csv", "x.xlsx", "x.parquet", "x.txt", "upload"])


@FUZZ
@given(data=INCIDENT_FILES, name=NAMES)
def test_reading_a_table_answers_or_says_what_is_wrong(data, name):
    _fails_only_with_a_message(ingest.read_table, data, name)


@FUZZ
@given(data=st.one_of(delimited(), mutated(CSV_SEED), mutated(XLSX_SEED)), name=NAMES)
def test_loading_incidents_answers_or_says_what_is_wrong(data, name):
    try:
        result = ingest.load_incidents(data, name)
    except IlpInputError:
        return
    assert result.report.accepted + result.report.rejected == result.report.rows_read


XML_TOKENS = st.sampled_from(
    ['<row r="2">', "<row>", "</row>", '<c r="A2" t="s">', '<c r="B2" t="inlineStr">', "<c>",
     '<c t="b">', '<c t="d">', '<c t="e">', '<c s="1">', '<c r="XFD9">', "</c>", "<v>", "</v>",
     "<is><t>", "</t></is>", "<f>SUM(A1)</f>", "0", "1", "-3.5E+2", "2024-01-01T10:00:00", "x",
     "&amp;", "&#0;", "&lt;", "<!-- c -->", "<![CDATA[<v>]]>", "\x00", "é", "<rPh><t>p</t></rPh>"]
)  # fmt: skip


@st.composite
def hostile_sheets(draw) -> bytes:
    """A valid workbook whose sheet XML is made of random cell tokens."""
    body = "".join(draw(st.lists(XML_TOKENS, max_size=40)))
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c></row>{body}'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(XLSX_SEED)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body_bytes = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body_bytes = xml.encode("utf-8", errors="replace")
            dst.writestr(item, body_bytes)
    return out.getvalue()


@FUZZ
@given(data=hostile_sheets())
def test_a_workbook_of_hostile_xml_answers_or_says_what_is_wrong(data):
    _fails_only_with_a_message(ingest.read_table, data, "x.xlsx")


ARROW_TYPES = st.sampled_from(
    [pa.int64(), pa.float64(), pa.string(), pa.large_string(), pa.bool_(), pa.date32(),
     pa.timestamp("ms"), pa.timestamp("us", tz="Europe/Moscow"), pa.time64("us"),
     pa.binary(), pa.decimal128(10, 2), pa.list_(pa.int32()), pa.duration("s"), pa.null(),
     pa.dictionary(pa.int8(), pa.string())]
)  # fmt: skip


@st.composite
def parquet_files(draw) -> bytes:
    """Parquet files of any column types, nulls and sizes (0 to 50 rows)."""
    n = draw(st.integers(0, 50))
    columns = {}
    for i, kind in enumerate(draw(st.lists(ARROW_TYPES, max_size=5))):
        seed = draw(st.integers(0, 2**16))
        rng = np.random.default_rng(seed)
        if pa.types.is_dictionary(kind):
            arr = pa.array(rng.choice(["a", "=b", "\u202e"], n)).dictionary_encode()
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            arr = pa.array([draw(ANY_TEXT) if rng.random() > 0.2 else None for _ in range(n)], kind)
        elif pa.types.is_binary(kind):
            arr = pa.array([bytes(rng.integers(0, 256, 3, dtype=np.uint8)) for _ in range(n)], kind)
        elif pa.types.is_list(kind):
            arr = pa.array([list(range(int(k))) for k in rng.integers(0, 4, n)], kind)
        elif pa.types.is_null(kind):
            arr = pa.nulls(n)
        else:
            ints = pa.array(rng.integers(-(10**6), 10**6, n), pa.int64())
            try:
                arr = ints.cast(kind) if not pa.types.is_decimal(kind) else ints.cast(kind)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                arr = pa.nulls(n, kind)
        columns[f"c{i}" if draw(st.booleans()) else "dup"] = arr
    buf = io.BytesIO()
    try:
        pq.write_table(pa.table(columns) if columns else pa.table({"x": pa.nulls(n)}), buf)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        assume(False)
    return buf.getvalue()


@FUZZ
@given(data=parquet_files())
def test_parquet_of_any_column_type_answers_or_says_what_is_wrong(data):
    _fails_only_with_a_message(ingest.read_table, data, "x.parquet")


# -- boundaries, the intelligence log, the current allocation -------------------------------


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=300), mutated(GEOJSON_SEED), mutated(SHAPEFILE_SEED)),
    name=st.sampled_from(["b.geojson", "b.zip", "b.gpkg", "b.json"]),
)
@example(  # a property holding an object: no column of names, said so (not a TypeError)
    data=b'{"type":"FeatureCollection","features":[{"":"","type":"Feature","":{"":"","":0},'
    b'"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0],[0,0]]]}}]}',
    name="b.geojson",
)
@example(  # a ring not closed: the broken shape is said (not a GEOS error)
    data=b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
    b'"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,01]]]}}]}',
    name="b.geojson",
)
def test_boundaries_answer_or_say_what_is_wrong(data, name):
    _fails_only_with_a_message(ingest.load_boundaries, data, name)


@FUZZ
@given(data=st.one_of(delimited(), mutated(LOG_SEED), mutated(XLSX_SEED)), name=NAMES)
def test_the_intelligence_log_answers_or_says_what_is_wrong(data, name):
    _fails_only_with_a_message(intelligence.read_log, data, name)


@FUZZ
@given(data=st.one_of(delimited(), mutated(CURRENT_SEED), mutated(XLSX_SEED)), name=NAMES)
def test_the_current_allocation_answers_or_says_what_is_wrong(data, name):
    _fails_only_with_a_message(allocation.read_current, data, name, ["A", "B"])


# -- saved JSON / YAML ----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(ANY_TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def documents(draw, seed: str) -> str | bytes:
    """Saved files: valid ones with a part replaced by any value, deep nesting, raw bytes."""
    kind = draw(st.sampled_from(["replace", "mutate", "deep", "raw", "alias"]))
    if kind == "replace":
        data = json.loads(seed)
        path = data
        keys = []
        while isinstance(path, dict) and path:
            key = draw(st.sampled_from(sorted(path)))
            keys.append(key)
            if not isinstance(path[key], dict) or draw(st.booleans()):
                path[key] = draw(JSON_VALUES)
                break
            path = path[key]
        return json.dumps(data)
    if kind == "mutate":
        return draw(mutated(seed.encode()))
    if kind == "deep":
        depth = draw(st.integers(30, 5000))
        return draw(st.sampled_from(["[", '{"a":'])) * depth
    if kind == "alias":  # a YAML "billion laughs": every list repeats the one before
        lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for i in range(1, draw(st.integers(2, 9))):
            lines.append(f"a{i}: &a{i} [{', '.join(['*a' if i == 1 else f'*a{i - 1}'] * 10)}]")
        return "\n".join(lines)
    return draw(st.binary(max_size=200))


@FUZZ
@given(source=documents(ASSESSMENT_SEED))
def test_a_saved_assessment_answers_or_says_what_is_wrong(source):
    _fails_only_with_a_message(priorities.load_assessment, source, fingerprint="f")


@FUZZ
@given(source=documents(MAPPING_SEED))
def test_a_saved_column_mapping_answers_or_says_what_is_wrong(source):
    _fails_only_with_a_message(ingest.ColumnMapping.from_json, source)


@FUZZ
@given(source=documents(ASSESSMENT_SEED), yaml_too=st.booleans())
def test_any_saved_document_parses_or_says_what_is_wrong(source, yaml_too):
    try:
        checks.json_document(source, yaml_too=yaml_too)
    except IlpInputError:
        pass
    except ValueError as error:  # "not JSON": the caller names its own kind of file
        assert type(error) is not IlpInputError


@FUZZ
@given(
    edit=st.one_of(
        st.tuples(st.just("replace"), st.sampled_from(["minutes: 10", "id: data", "kind: number",
                                                         "options:", "tolerance: 0.5"]),
                  st.sampled_from(["[]", "{}", "x", "-1e999", "[[[[1]]]]", "null", "'9' * 3"])),
        st.tuples(st.just("mutate"), st.just(""), st.just("")),
    )
)  # fmt: skip
def test_the_workshop_scenario_file_answers_or_says_what_is_wrong(edit):
    kind, old, new = edit
    text = SCENARIO_SEED
    if kind == "replace" and old in text:
        key = old.split(":")[0]
        text = text.replace(old, f"{key}: {new}", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workshop.yaml"
        path.write_bytes(
            text.encode() if kind == "replace" else bytes(reversed(text.encode()))[:500]
        )
        _fails_only_with_a_message(workshop.scenario, path)


@FUZZ
@given(answers=JSON_VALUES, lang=st.sampled_from(["en", "ru"]))
def test_workshop_answers_of_any_shape_are_cleaned_written_and_checked(answers, lang):
    cfg = workshop.scenario()
    cleaned = workshop.clean_answers(answers, cfg)
    assert workshop.clean_answers(cleaned, cfg) == cleaned  # cleaning is stable
    json.loads(workshop.answers_json(cleaned))
    workshop.answers_markdown(answers, lang, cfg=cfg)  # the raw answers too
    given_steps = answers if isinstance(answers, dict) else {}
    for step in cfg.steps:
        step_answers = given_steps.get(step.id)
        for q in step.questions:
            value = step_answers.get(q.id) if isinstance(step_answers, dict) else step_answers
            workshop.check_answer(q, value)
            workshop.answer_text(step, q, value, lang)


# -- exporters ------------------------------------------------------------------------------

CELL_TEXT = st.one_of(
    st.text(max_size=12),  # any code point, lone surrogates and controls included
    st.sampled_from(
        ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "\x00", "\u202e", "\u2066x", "\ud800", "a\udfffb"]
    ),  # fmt: skip
    st.just("y" * 33_000),
)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 4))
    out = {}
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "object", "number", "date", "tzdate", "category"]))
        name = draw(
            st.one_of(st.just(f"c{i}"), CELL_TEXT.filter(lambda t: len(t) < 40 and _encodable(t)))
        )
        if kind == "text":  # Arrow-backed text cannot hold a lone surrogate: object columns can
            col = pd.array(
                [draw(st.one_of(st.none(), CELL_TEXT.filter(_encodable))) for _ in range(n)],
                dtype="str",
            )
        elif kind == "object":
            col = pd.Series(
                [draw(st.one_of(st.none(), CELL_TEXT, st.integers(), st.floats(), st.booleans()))
                 for _ in range(n)],
                dtype=object,
            )  # fmt: skip
        elif kind == "number":
            col = pd.Series([draw(st.floats()) for _ in range(n)], dtype="float64")
        elif kind == "date":
            col = pd.Series(pd.to_datetime(["2024-01-01"] * n))
        elif kind == "tzdate":
            col = pd.Series(pd.to_datetime(["2024-01-01T10:00:00Z"] * n))
        else:
            col = pd.Series(
                [draw(CELL_TEXT.filter(_encodable)) for _ in range(n)], dtype="category"
            )
        out[name] = pd.Series(col).reset_index(drop=True)  # its own dtype, object kept
    return pd.DataFrame(out)


@FUZZ
@given(frame=frames())
def test_csv_and_excel_downloads_of_any_text_are_made(frame):
    data = export.csv_bytes(frame)
    text = data.decode("utf-8-sig")
    assert "\x00" not in text and "\u202e" not in text
    book = export.excel_bytes({"a[1]:b": frame, "a_1__b": frame}, lang="fr")
    assert book[:2] == b"PK"


@FUZZ
@given(names=st.lists(CELL_TEXT, min_size=1, max_size=3))
def test_geojson_downloads_keep_every_value_exact(names):
    gdf = gpd.GeoDataFrame(
        {"name": pd.Series(names, dtype=object)},
        geometry=[Point(i, i) for i in range(len(names))],
        crs="EPSG:4326",
    )
    data = export.geojson_bytes(gdf)
    back = json.loads(data)
    assert [f["properties"]["name"] for f in back["features"]] == names


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deeper_than_python_recurses_is_a_message(depth):
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        with pytest.raises(IlpInputError) as error:
            priorities.load_assessment(text)
        assert error.value.message.key == "checks.document_too_deep"


def test_a_parquet_file_whose_dictionary_indices_run_past_its_end_is_refused():
    # Found by the fuzz test above: one changed byte left a text column's dictionary
    # indices pointing past its one value (pyarrow reads such a file without a check).
    data = (FIXTURES / "damaged_dictionary.parquet").read_bytes()
    with pytest.raises(IlpInputError) as error:
        ingest.read_table(data, "x.csv")
    assert error.value.message.key == "ingest.parquet_unreadable"
