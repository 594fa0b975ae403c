"""The exported strategic assessment: content, numbers, suppression, escaping, offline HTML, PDF."""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from ilp_core import i18n
from ilp_core.analysis import hotspots, temporal
from ilp_core.data import ingest, sample, schema
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.decide import allocation, priorities
from ilp_core.errors import IlpInputError
from ilp_core.products import report, workspace

HOSTILE_OFFENCE = "<script>alert(1)</script>"
HOSTILE_OFFENCE_2 = '"><img src=x onerror=alert(1)>'
HOSTILE_DISTRICT = "<img src=x onerror=alert(3)>"
HOSTILE_NOTE = 'Seen <b>twice</b> & "named" <script>alert(2)</script>'
HOSTILE = (HOSTILE_OFFENCE, HOSTILE_OFFENCE_2, HOSTILE_DISTRICT, HOSTILE_NOTE)
K = 5


# --------------------------------------------------------------------------------------
# Fixtures: the sample region, and a hostile upload built from it
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_data():
    return load_sample()


def _ranking(incidents, districts):
    """What ``ui.priorities.current_ranking(view)`` returns in a fresh session (the default one)."""
    return priorities.rank(incidents, districts)


@pytest.fixture(scope="module")
def hostile(sample_data):
    """An upload made from half the sample's second half of 2025, imported like any export: one
    district renamed, two hostile offence types added (3 incidents of the first, a small
    count, and 12 of the second) and two rows with an unreadable date (rejected)."""
    inc = sample_data.incidents
    inc = inc.loc[(inc["occurred_at"] >= "2025-07-01").to_numpy()].iloc[::2].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "incident_id": inc["incident_id"].astype(str),
            "occurred_at": inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "occurred_to": inc["occurred_to"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": inc["offence"].astype(str),
            "lat": inc["lat"],
            "lon": inc["lon"],
            "district": inc["district"].astype(str).replace({"Docklands": HOSTILE_DISTRICT}),
        }
    )
    extra = frame.loc[frame["lat"].notna()].iloc[:17].copy()
    extra["incident_id"] = [f"H-{i}" for i in range(17)]
    extra["offence"] = [HOSTILE_OFFENCE] * 3 + [HOSTILE_OFFENCE_2] * 12 + ["Robbery"] * 2
    extra.loc[extra.index[-2:], "occurred_at"] = "31.02.2025 10:00"
    frame = pd.concat([frame, extra], ignore_index=True)
    districts = sample_data.districts.copy()
    districts["district"] = districts["district"].replace({"Docklands": HOSTILE_DISTRICT})
    loaded = ingest.load_incidents(
        frame.to_csv(index=False).encode("utf-8"), "export.csv", districts=districts
    )
    assert loaded.report.rejected == 2
    incidents = loaded.incidents
    allocation = sample_data.allocation.copy()
    allocation["district"] = allocation["district"].replace({"Docklands": HOSTILE_DISTRICT})
    data = Dataset(
        name=f"export {HOSTILE_OFFENCE}.csv",
        incidents=incidents,
        districts=districts,
        allocation=allocation,
        report=loaded.report,
        rejects=loaded.rejects,
    )
    # The Priorities page's defaults, saved with 200 stability draws: the report ranks and
    # redraws them itself.
    assessment = priorities.make_assessment(
        priorities.preset(priorities.presets()[0]), draws=200, fingerprint=data.fingerprint
    )
    ranking = _ranking(incidents, districts)
    products = {
        "intel_log": pd.DataFrame(
            {
                "item_id": ["INT-1", "INT-2"],
                "date": ["2025-11-02", "2025-12-01"],
                "summary": [HOSTILE_NOTE, "Dealing seen near the station"],
                "problem": ["Robbery", HOSTILE_OFFENCE],
                "area": [HOSTILE_DISTRICT, "Station"],
                "scheme": ["eu4x4", "eu4x4"],
                "source": ["B", "X"],
                "information": ["2", "3"],
                "handling": ["H0", "H1"],
                "notes": ["Private note: " + HOSTILE_NOTE, ""],
            }
        ),
        "requirements": pd.DataFrame(
            {
                "problem": [HOSTILE_OFFENCE],
                "known": ["Known fact " + HOSTILE_NOTE],
                "gap": ["Who runs it " + HOSTILE_NOTE],
                "requirement": ["Identify the group " + HOSTILE_NOTE],
                "owner": ["Inspector Jane Roe"],
                "due": ["2026-03-31"],
                "status": ["open"],
            }
        ),
        "strategy": pd.DataFrame(
            {
                "problem": ["Robbery", HOSTILE_OFFENCE],
                "pillar": ["prevention", "enforcement"],
                "action": ["Lighting in the underpass", "Arrest " + HOSTILE_NOTE],
                "owner": ["Sergeant John Doe", "Inspector Jane Roe"],
                "suggested": [True, False],
            }
        ),
        "pestel": pd.DataFrame(
            {
                "category": ["economic"],
                "factor": ["Port closure " + HOSTILE_NOTE],
                "problems": [["Robbery", HOSTILE_OFFENCE]],
                "impact": ["high"],
            }
        ),
        "swot": pd.DataFrame(
            {"quadrant": ["threats"], "factor": ["New market"], "problems": [["Robbery"]]}
        ),
    }
    work = workspace.make_workspace(
        fingerprint=data.fingerprint,
        dataset=data.name,
        priority=assessment,
        privacy_actions=("drop:Victim name", "pseudonymise:Address"),
        **products,
    )
    return {"data": data, "work": work, "ranking": ranking}


@pytest.fixture(scope="module")
def internal(hostile):
    rep = report.build_report(hostile["data"], hostile["work"], lang="en")
    return {"report": rep, "html": report.to_html(rep)}


@pytest.fixture(scope="module")
def internal_pdf_text(internal):
    from pypdf import PdfReader

    pdf = report.to_pdf(internal["report"])
    assert pdf[:5] == b"%PDF-"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def wider(hostile):
    rep = report.build_report(hostile["data"], hostile["work"], lang="en", wider_release=True)
    return {"report": rep, "html": report.to_html(rep)}


# --------------------------------------------------------------------------------------
# Reading the HTML back
# --------------------------------------------------------------------------------------


class _Doc(HTMLParser):
    """Tables (cells with their class), every src/href, iframe documents and scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.loads, self.frames, self.scripts = [], [], [], []
        self._cell = None
        self._script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "data", "poster", "action"):
            if a.get(name):
                self.loads.append((tag, name, a[name]))
        if tag == "iframe" and "srcdoc" in a:
            self.frames.append(a["srcdoc"])
        if tag == "table":
            self.tables.append({"key": a.get("data-key"), "header": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = [tag, a.get("class", ""), ""]
        elif tag == "script":
            self._script = [a, ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            kind, cls, text = self._cell
            row = self.tables[-1]["rows"][-1]
            row.append((cls, text.strip()))
            self._cell = None
        elif tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data
        if self._script is not None:
            self._script[1] += data


def _parse(page: str) -> _Doc:
    doc = _Doc()
    doc.feed(page)
    for table in doc.tables:
        table["header"] = [t for _, t in table["rows"][0]]
        table["rows"] = table["rows"][1:]
    return doc


def _feature_collections(page: str) -> list[dict]:
    """The GeoJSON layers a folium map document sends to the browser."""
    decoder = json.JSONDecoder()
    out = []
    for match in re.finditer(r"_add\(\s*\{", page):
        obj, _ = decoder.raw_decode(page, match.end() - 1)
        if obj.get("type") == "FeatureCollection":
            out.append(obj)
    return out


def _number(text: str) -> float:
    digits = re.sub(r"[^\d,.\-−]", "", text).replace("−", "-")
    digits = digits.replace(",", "")
    return float(digits)


# --------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------


def test_every_section_is_present_in_order(internal):
    rep, page = internal["report"], internal["html"]
    assert [s.key for s in rep.sections] == list(report.SECTIONS)
    positions = [page.index(f'<section id="{key}">') for key in report.SECTIONS]
    assert positions == sorted(positions)
    for section in rep.sections:
        assert section.blocks, section.key
        assert html.escape(section.title) in page
    kinds = {b.kind for b in rep.blocks(report.Figure)} | {
        m.kind for m in rep.blocks(report.MapBlock)
    }
    assert {"hour_weekday", "comparison", "knox", "contributions"} <= kinds
    assert {"hotspots", "change", "allocation"} <= kinds
    for key in ("quality", "offence_counts", "hotspot_classes", "hotspot_cells", "change_classes",
                "districts", "trends", "comparison", "knox", "ranking", "decomposition",
                "allocation", "intel_summary", "intel_log", "requirements", "strategy", "pestel",
                "swot", "parameters", "weights", "harm"):  # fmt: skip
        assert rep.table(key) is not None, key


def test_data_section_states_what_was_done_to_personal_columns(internal):
    from ilp_core.data import privacy

    texts = [b.text for b in internal["report"].section("data").blocks if hasattr(b, "text")]
    assert privacy.describe_action("drop:Victim name", "en") in texts
    assert privacy.describe_action("pseudonymise:Address", "en") in texts


def test_missing_products_say_not_yet_written(sample_data):
    rep = report.build_report(sample_data, sections=("priorities", "intelligence", "strategy"))
    texts = [b.text for b in rep.blocks(report.Text)]
    for key in ("intel_log", "requirements", "strategy", "environment"):
        assert i18n.t(f"report.not_yet.{key}", "en") in texts
    # Priorities are ranked with the page's defaults (as the page shows them before any change).
    assert i18n.t("report.not_yet.priorities", "en") not in texts
    expected = priorities.rank(sample_data.incidents, sample_data.districts).table
    shown = rep.table("ranking").data
    assert shown["problem"].tolist() == expected["problem"].astype(str).tolist()


def test_without_boundaries_the_grid_serves_and_the_allocation_says_why(sample_data):
    inc = sample_data.incidents.iloc[::10].reset_index(drop=True)
    rep = report.build_report(Dataset("no boundaries", inc), sections=("where", "allocation"))
    assert [m.kind for m in rep.blocks(report.MapBlock)] == ["hotspots", "change"]
    assert rep.table("districts") is None
    reason = i18n.t("report.no_allocation", "en")
    assert i18n.t("report.not_available", "en", reason=reason) in [
        b.text for b in rep.blocks(report.Text)
    ]


@pytest.fixture(scope="module")
def sample_report(sample_data):
    ranking = _ranking(sample_data.incidents, sample_data.districts)
    rep = report.build_report(
        sample_data, sections=("data", "findings", "where", "when", "priorities", "methods")
    )
    return {"report": rep, "ranking": ranking, "doc": _parse(report.to_html(rep))}


def test_rows_read_and_quality_equal_the_ingest_report(sample_data, sample_report):
    quality = sample_report["report"].table("quality").data.set_index("measure")["value"]
    q = sample_data.report
    assert quality["rows_read"] == q.rows_read == 100_000
    assert quality["accepted"] == q.accepted
    assert quality["rejected"] == q.rejected
    assert quality["geolocated"] == q.geolocated
    html_table = next(t for t in sample_report["doc"].tables if t["key"] == "quality")
    assert html_table["rows"][0] == [("text", "Rows read"), ("count", "100,000")]


def test_ranked_table_equals_the_current_ranking(sample_report):
    expected = sample_report["ranking"].table
    shown = sample_report["report"].table("ranking").data
    assert shown["problem"].tolist() == expected["problem"].astype(str).tolist()
    assert shown["rank"].tolist() == expected["rank"].tolist()
    np.testing.assert_allclose(shown["score"], expected["score"])
    np.testing.assert_allclose(shown["volume"], expected["volume"])
    html_table = next(t for t in sample_report["doc"].tables if t["key"] == "ranking")
    assert [r[1][1] for r in html_table["rows"]] == expected["problem"].astype(str).tolist()
    assert [r[3][1] for r in html_table["rows"]] == [f"{s:.2f}" for s in expected["score"]]
    # The decomposition: each problem's contributions add up to its score.
    dec = sample_report["report"].table("decomposition").data.set_index("criterion")
    parts = dec.drop(index="score")
    np.testing.assert_allclose(parts.sum(axis=0), dec.loc["score"], rtol=1e-9)


def test_hotspot_counts_equal_gi_star(sample_data, sample_report):
    gi = hotspots.gi_star(sample_data.incidents, sample_data.districts)
    classes = sample_report["report"].table("hotspot_classes").data.set_index("gi_class")
    cls = gi.table["gi_class"].astype(str)
    for name, row in classes.iterrows():
        assert row["cells"] == int((cls == name).sum())
        assert row["incidents"] == int(gi.table.loc[(cls == name).to_numpy(), "count"].sum())
    assert classes["cells"].sum() == len(gi.table)
    cells = sample_report["report"].table("hotspot_cells").data
    top = gi.table.set_index("cell_id").loc[cells["cell_id"]]
    np.testing.assert_array_equal(cells["count"].to_numpy(), top["count"].to_numpy())
    np.testing.assert_allclose(cells["gi_z"].to_numpy(), top["gi_z"].to_numpy())
    assert cells["gi_z"].is_monotonic_decreasing


def test_trends_and_offence_counts_equal_the_library(sample_data, sample_report):
    rep = sample_report["report"]
    expected = temporal.trend(temporal.period_counts(sample_data.incidents, "month")).table
    shown = rep.table("trends").data
    assert shown["offence"].tolist() == expected["offence"].astype(str).tolist()
    np.testing.assert_array_equal(shown["total"], expected["total"])
    assert shown["direction"].tolist() == expected["direction"].astype(str).tolist()
    counts = rep.table("offence_counts").data.set_index("offence")["incidents"]
    truth = sample_data.incidents["offence"].astype(str).value_counts()
    assert counts.to_dict() == {o: float(n) for o, n in truth.items()}
    assert counts.sum() == 100_000
    # One monthly chart per offence with a clear trend (criminal damage, vehicle crime).
    series = [f.data["offence"] for f in rep.blocks(report.Figure) if f.kind == "series"]
    moving = expected.loc[expected["direction"] != "no_clear_trend", "offence"].astype(str)
    assert sorted(series) == sorted(moving) == ["Criminal damage", "Vehicle crime"]


def test_findings_name_the_planted_patterns(sample_report):
    planted = json.loads((sample.SAMPLE_DIR / "planted.json").read_text(encoding="utf-8"))
    text = " ".join(sample_report["report"].findings)
    assert planted["rising_offence"]["offence"] + " is rising" in text
    assert "Residential burglary: within 7 days" in text
    assert "hot spots at 95 % confidence" in text


def test_annex_records_seeds_versions_and_fingerprint(internal, hostile):
    rep = internal["report"]
    params = rep.parameters
    assert params["software"]["ilp_core"] == rep.version
    assert params["data"]["fingerprint"] == hostile["data"].fingerprint
    assert params["near_repeat"]["seed"] == 0 and params["near_repeat"]["permutations"] == 99
    assert params["priorities"]["stability"]["seed"] == 20240601
    assert params["priorities"]["scheme"]["method"] == hostile["ranking"].scheme.method
    embedded = _parse(internal["html"]).scripts
    record = next(text for attrs, text in embedded if attrs.get("id") == "ilp-parameters")
    assert json.loads(record) == json.loads(json.dumps(params))
    harm_table = rep.table("harm").data.set_index("offence")["days"]
    assert harm_table["Robbery"] == 365.0


_CONTEXT = ("version", "fingerprint", "dataset", "period", "offences", "release")
# The hostile upload holds six months: forecasts are declined (too short) and emerging
# offences need a year of baseline, so "emerging" is absent; the scan runs.
_METHODS = ("hotspots", "change", "trend", "control", "comparison", "knox", "forecast", "scan",
            "priorities", "stability", "allocation")  # fmt: skip


def test_annex_states_each_method_that_ran_once_in_order(internal, sample_data):
    def label(key):
        return i18n.t(f"report.methods.{key}", "en")

    table = internal["report"].table("parameters")
    assert [row[0] for row in table.rows] == [label(k) for k in _CONTEXT + _METHODS]
    value = dict(table.rows)
    assert "99 permutations" in value[label("knox")] and "seed 0" in value[label("knox")]
    assert "seed 20240601" in value[label("stability")]
    assert value[label("allocation")].startswith("method: proportional; ")
    # the small-count safeguards are stated: Gi*'s p-values and floor, the conditional test
    assert "at least 3 incidents in its neighbourhood" in value[label("hotspots")]
    assert "(normal approximation)" in value[label("hotspots")]  # the sample is dense
    assert "fewer than 20 incidents" in value[label("control")]
    params = internal["report"].parameters
    assert params["hotspots"]["min_hot_incidents"] == 3
    assert params["hotspots"]["inference"] == "normal"
    assert params["control_limits"]["sparse_baseline"] == 20
    # the annex alone runs no analysis: it states only what was analysed
    alone = report.build_report(sample_data, sections=("methods",)).table("parameters")
    assert [row[0] for row in alone.rows] == [label(k) for k in _CONTEXT]


# --------------------------------------------------------------------------------------
# Offline, self-contained HTML
# --------------------------------------------------------------------------------------


def test_html_loads_nothing_from_outside(internal):
    page = internal["html"]
    doc = _parse(page)
    documents = [doc] + [_parse(frame) for frame in doc.frames]
    assert len(doc.frames) == 3
    for d in documents:
        remote = [
            (tag, name, value)
            for tag, name, value in d.loads
            if re.match(r"\s*(https?:)?//", value, re.IGNORECASE)
        ]
        assert not remote, remote[:3]
        assert not any(attrs.get("src") for attrs, _ in d.scripts)
    for style in re.findall(r"<style>(.*?)</style>", page + "".join(doc.frames), re.S):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", style)
    # plotly.js once, in the head; one newPlot per figure; Leaflet inlined in each map.
    n_figures = len(internal["report"].blocks(report.Figure))
    assert page.count("Plotly.newPlot(") == n_figures
    assert len([s for a, s in doc.scripts if "plotly.js v" in s[:400]]) == 1
    assert all("leaflet" in frame.lower() and "<script src" not in frame for frame in doc.frames)


def _without_libraries(page: str) -> int:
    """Size of a page without its inlined libraries (plotly.js, Leaflet): its own content."""
    return len(re.sub(r"<script>.{100000,}?</script>", "", page, flags=re.S))


def test_report_size_does_not_grow_with_incidents(sample_data):
    bigger = sample.generate(300_000)
    inc = bigger.incidents.assign(
        precision="minute", source_row=np.arange(len(bigger.incidents)) + 2, duplicate=np.nan
    )
    big = Dataset("bigger", schema.coerce_incidents(inc), bigger.districts, bigger.allocation)
    assert len(big.incidents) == 3 * len(sample_data.incidents)
    sizes = []
    for data in (sample_data, big):
        page = report.to_html(report.build_report(data, sections=("data", "where")))
        frames = _parse(page).frames
        own = _without_libraries(page) - sum(len(html.escape(f)) for f in frames)
        own += sum(_without_libraries(f) for f in frames)
        sizes.append((len(page), own))
    (total_a, own_a), (total_b, own_b) = sizes
    # Three times the incidents, the same size: aggregates only (per-incident data would triple
    # it). The report's own content varies with the analyses' results (how many cells are
    # significant), not with the number of incidents.
    assert abs(total_b / total_a - 1) < 0.2
    assert own_b / own_a < 1.2


# --------------------------------------------------------------------------------------
# Wider release
# --------------------------------------------------------------------------------------


def test_no_count_below_k_in_any_table_or_map_layer(wider):
    rep, page = wider["report"], wider["html"]
    doc = _parse(page)
    symbols = {"<5", "[c]", "–", "0", ""}
    checked = 0
    for table in doc.tables:
        for row in table["rows"]:
            for cls, text in row:
                if cls != "count" or text in symbols:
                    continue
                assert _number(text) >= K, (table["key"], row)
                checked += 1
    assert checked > 50
    assert "<5" in page.replace("&lt;", "<") and "[c]" in page
    layers = 0
    for frame in doc.frames:
        for collection in _feature_collections(html.unescape(frame)):
            for feature in collection["features"]:
                props = feature["properties"]
                if "count" in props:
                    assert props["count"] >= K, props
                    layers += 1
                if "value_label" in props:
                    assert _number(props["value_label"]) >= K, props
    assert layers > 10
    # The same holds for the numbers behind every table (the PDF draws these).
    for table in rep.blocks(report.Table):
        for column, kind in zip(table.header, table.kinds, strict=True):
            if kind == "count":
                for cell in (row[table.header.index(column)] for row in table.rows):
                    assert cell in symbols or _number(cell) >= K, (table.key, cell)
    for block in rep.blocks(report.MapBlock):
        for layer in ("gi", "change"):
            if layer in block.data:
                counts = block.data[layer].table["count"].to_numpy()
                assert ((counts == 0) | (counts >= K)).all()


def _consistent_values(values, hidden_primary, hidden_secondary, k):
    """Brute force: the values each hidden cell can take given the exact total and symbols."""
    cells = [*hidden_primary, *hidden_secondary]
    total = int(sum(values[c] for c in cells))
    seen = {c: set() for c in cells}

    def walk(j, left, chosen):
        if j == len(cells):
            if left == 0:
                for c, v in zip(cells, chosen, strict=True):
                    seen[c].add(v)
            return
        low, high = (1, k - 1) if cells[j] in hidden_primary else (k, left)
        for v in range(low, min(high, left) + 1):
            walk(j + 1, left - v, [*chosen, v])

    walk(0, total, [])
    return seen


def test_small_offences_are_suppressed_and_cannot_be_worked_out(wider, hostile):
    table = wider["report"].table("offence_counts")
    cells = dict(zip(table.data["offence"], (row[1] for row in table.rows), strict=True))
    assert cells[HOSTILE_OFFENCE] == "<5"
    truth = hostile["data"].incidents["offence"].astype(str).value_counts().to_dict()
    primary = [o for o, c in cells.items() if c == "<5"]
    secondary = [o for o, c in cells.items() if c == "[c]"]
    assert all(0 < truth[o] < K for o in primary)
    assert all(c in ("<5", "[c]") or _number(c) == truth[o] for o, c in cells.items())
    # Knowing the exact total (the incidents in view), no hidden count is determined.
    for offence, possible in _consistent_values(truth, primary, secondary, K).items():
        assert truth[offence] in possible and len(possible) >= 2, (offence, possible)


def test_wider_release_drops_personal_fields_and_says_so(wider, internal):
    page, internal_page = wider["html"], internal["html"]
    statement = i18n.t("report.wider_statement", "en", k="5", base="10")
    assert statement in html.unescape(page)
    assert i18n.t("report.internal_statement", "en") in html.unescape(internal_page)
    for private in ("Inspector Jane Roe", "Sergeant John Doe", "Private note", "Known fact"):
        assert private in internal_page
        assert private not in page
    assert wider["report"].table("intel_log") is None
    assert wider["report"].table("intel_summary") is None
    assert wider["report"].table("requirements").data.columns.tolist() == [
        "problem", "gap", "requirement", "due", "status"
    ]  # fmt: skip
    ranking = wider["report"].table("ranking").data
    assert HOSTILE_OFFENCE not in ranking["problem"].tolist()  # 3 incidents: left out


# --------------------------------------------------------------------------------------
# Escaping: hostile text is text, in the HTML and in the PDF
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["internal", "wider"])
def test_hostile_text_is_escaped_in_html(which, internal, wider):
    built = {"internal": internal, "wider": wider}[which]
    page = built["html"]
    doc = _parse(page)
    cells = [cell for table in doc.tables for row in table["rows"] for _, cell in row]
    for text in HOSTILE:
        assert text not in page  # never raw: escaped in text, \u003c in JSON
        assert any(text in cell for cell in cells), text  # and it reads as text
    labels = set()
    for frame in doc.frames:
        assert HOSTILE_DISTRICT not in frame  # map properties are escaped before any tooltip
        for collection in _feature_collections(frame):
            labels |= {f["properties"].get("district_label") for f in collection["features"]}
    assert html.escape(HOSTILE_DISTRICT) in labels
    # The only scripts: plotly.js, one per chart, and the JSON parameter record.
    n_figures = len(built["report"].blocks(report.Figure))
    assert len(doc.scripts) == 1 + n_figures + 1
    for _attrs, text in doc.scripts[1:]:
        for hostile_text in HOSTILE:
            assert hostile_text not in text


def test_hostile_text_prints_as_text_in_the_pdf(internal_pdf_text):
    flat = re.sub(r"\s+", "", internal_pdf_text)
    for text in HOSTILE:
        assert re.sub(r"\s+", "", text) in flat, text
    assert "Rankings and allocations in this report are decision support" in internal_pdf_text


# --------------------------------------------------------------------------------------
# Built from the dataset and the session's work alone
# --------------------------------------------------------------------------------------

_WORK_SECTIONS = ("data", "where", "near_repeat", "priorities", "allocation")


def _content(rep, key):
    """A section as plain values: its texts, its tables (as shown and the numbers behind)."""
    out = []
    for block in rep.section(key).blocks:
        if isinstance(block, report.Table):
            numbers = block.data.to_json(orient="split", default_handler=str)
            out.append((block.key, block.header, block.rows, numbers))
        elif isinstance(block, report.Text):
            out.append((block.style, block.text))
        else:  # figures and maps: what they draw is in the tables and texts beside them
            out.append((block.key, block.kind, block.title, block.caption))
    return out


def _work(data, **change):
    """A session's work on the sample: the first half of 2025, a 300 m grid, a Knox test on
    burglary with 19 permutations, an allocation with today's hours edited, and the
    weighted-sum method with a vulnerability judged for robbery."""
    current = allocation.check_current(data.allocation, data.districts["district"].tolist())
    hours = current.to_dict()
    hours["Market Quarter"] += 80.0
    hours["Old Harbour"] -= 80.0
    entered = pd.DataFrame(
        {"problem": ["Robbery"], "criterion": ["vulnerability"], "value": [4.0],
         "confidence": ["high"]}
    )  # fmt: skip
    scheme = priorities.make_scheme(
        "weighted_sum", {"volume": 1.0, "harm": 3.0, "vulnerability": 2.0}
    )
    parts = {
        "view": {"start": "2025-01-01", "end": "2025-06-30"},
        "where": {"cell_size": 300.0, "fdr": True},
        "near_repeat": {"offences": ["Residential burglary"], "permutations": 19},
        "allocation": allocation.Scenario(
            measure="harm", total_hours=4000, step=8, floor=40, current_hours=hours
        ),
        "priority": priorities.make_assessment(scheme, entered, draws=200),
        **change,
    }
    return workspace.make_workspace(fingerprint=data.fingerprint, dataset=data.name, **parts)


@pytest.fixture(scope="module")
def work_report(sample_data):
    work = _work(sample_data)
    return {"work": work, "report": report.build_report(sample_data, work, sections=_WORK_SECTIONS)}


def test_the_same_work_gives_the_same_report_even_from_its_file(sample_data, work_report):
    work, first = work_report["work"], work_report["report"]
    again = report.build_report(sample_data, work, sections=_WORK_SECTIONS)
    loaded = workspace.from_json(work.to_json(), fingerprint=sample_data.fingerprint)
    from_file = report.build_report(sample_data, loaded.workspace, sections=_WORK_SECTIONS)
    for rep in (again, from_file):
        assert rep.findings == first.findings and rep.parameters == first.parameters
        for key in _WORK_SECTIONS:
            assert _content(rep, key) == _content(first, key), key


def test_the_report_reads_each_setting_from_the_work(sample_data, work_report):
    rep, params = work_report["report"], work_report["report"].parameters
    assert params["data"]["period"] == ["2025-01-01", "2025-06-30"]
    view = sample_data.incidents["occurred_at"]
    in_view = int(((view >= "2025-01-01") & (view < "2025-07-01")).sum())
    assert params["data"]["incidents_in_view"] == in_view
    assert params["hotspots"]["cell_size_m"] == 300.0
    assert params["near_repeat"]["permutations"] == 19
    assert params["near_repeat"]["offences"] == ["Residential burglary"]
    assert params["priorities"]["stability"]["draws"] == 200
    assert params["allocation"]["default"] is False
    assert params["allocation"]["scenario"]["measure"] == "harm"
    # The ranking and the allocation are the library's, run on the view with the same inputs.
    inc = view.between("2025-01-01", "2025-07-01", inclusive="left")
    incidents = sample_data.incidents.loc[inc.to_numpy()]
    work = work_report["work"]
    ranking = priorities.rank(incidents, sample_data.districts, work.priority)
    shown = rep.table("ranking").data
    assert shown["problem"].tolist() == ranking.table["problem"].astype(str).tolist()
    np.testing.assert_array_equal(shown["score"], ranking.table["score"])
    run = allocation.run_scenario(
        incidents, sample_data.districts, work.allocation,
        harm_weights=work.assessment().harm_weights,
    )  # fmt: skip
    table = rep.table("allocation").data
    np.testing.assert_array_equal(
        table["recommended_hours"], run.allocation.table["recommended_hours"]
    )
    np.testing.assert_array_equal(table["current_hours"], run.allocation.table["current_hours"])
    assert table.set_index("area").loc["Market Quarter", "current_hours"] == 80 + float(
        sample_data.allocation.set_index("district").loc["Market Quarter", "hours_per_week"]
    )


_CHANGES = {
    "view": ({"view": {"start": "2025-01-01", "end": "2025-03-31"}}, "data"),
    "knox offences": (
        {"near_repeat": {"offences": ["Robbery"], "permutations": 19}},
        "near_repeat",
    ),
    "scenario": (
        {"allocation": allocation.Scenario(total_hours=4000, step=8, floor=120)},
        "allocation",
    ),
    "assessment": (
        {"priority": priorities.make_assessment(priorities.preset("risk_matrix"))},
        "priorities",
    ),
}


@pytest.mark.parametrize("name", list(_CHANGES))
def test_changing_one_part_of_the_work_changes_its_section(sample_data, work_report, name):
    change, section = _CHANGES[name]
    before = work_report["report"]
    after = report.build_report(sample_data, _work(sample_data, **change), sections=_WORK_SECTIONS)
    assert _content(after, section) != _content(before, section)
    if name != "view":  # the same incidents: every other section stays as it was
        for key in set(_WORK_SECTIONS) - {section}:
            assert _content(after, key) == _content(before, key), key


# --------------------------------------------------------------------------------------
# Languages and validation
# --------------------------------------------------------------------------------------


def test_russian_report_has_russian_words_numbers_and_dates(sample_data):
    rep = report.build_report(sample_data, sections=("data", "priorities", "methods"), lang="ru")
    assert rep.title == "Стратегическая оценка"
    assert rep.table("quality").rows[0] == ("Прочитано строк", i18n.number(100_000, "ru"))
    assert i18n.number(100_000, "ru") != "100,000"
    assert "янв. 2024" in rep.subtitle
    assert rep.notices[0].startswith("Ранжирование и распределение сил")
    harm_sources = " ".join(str(cell) for row in rep.table("harm").rows for cell in row)
    assert "Хранение и сбыт вместе" in harm_sources  # a broad class's caveat, in Russian
    assert "Possession and supply" not in harm_sources
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(report.to_pdf(rep))).pages[0].extract_text()
    assert "Стратегическая оценка" in text
    assert "Прочитано строк" in text


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"lang": "de"}, "checks.option"),
        ({"sections": ("data", "maps")}, "checks.option"),
        ({"sections": ()}, "checks.option"),
        ({"k": 1}, "checks.whole"),
        ({"k": 5.0}, "checks.whole"),
        ({"wider_release": "yes"}, "checks.flag"),
    ],
)
def test_bad_options_are_refused_with_a_message(sample_data, kwargs, key):
    with pytest.raises(IlpInputError) as info:
        report.build_report(sample_data, **kwargs)
    assert info.value.message.key == key
    assert info.value.message.params["name"] == next(iter(kwargs))  # names the argument
    assert info.value.render("fr")
