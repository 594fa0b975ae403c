"""Hostile inputs end in a right answer or a clear message, never an uncaught exception.

The cases of issue 14 that are not bombs (tests/test_limits.py) nor fuzzing
(tests/test_fuzz_inputs.py): a word too long for any table column in the PDF, and
text from data that would act as Markdown, HTML or a link if it were not escaped.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from ilp_core.products import report

LONG_WORD = "X" * 700
_MD = MarkdownIt("commonmark")  # a 700-character offence name without a space


def _report_with(table: report.Table) -> report.Report:
    return report.Report(
        lang="en",
        title="Strategic assessment",
        subtitle=LONG_WORD,
        created=dt.date(2026, 1, 1),
        wider_release=False,
        k=5,
        notices=("Decision support.", LONG_WORD),
        findings=(f"{LONG_WORD} rose by 12 %",),
        sections=(report.Section("data", LONG_WORD, (table, report.Text(LONG_WORD))),),
        parameters={},
        fingerprint="0" * 16,
        version="test",
    )


def test_a_700_character_word_in_a_pdf_table_is_broken_not_fatal():
    # Before: ValueError "flowable given negative availWidth", and the whole report was lost.
    rows = ((LONG_WORD, "12", "Violent crime"), ("Robbery", "7", LONG_WORD))
    table = report.Table(
        "offences", "Offences", ("Offence type", "Incidents", "Class"),
        ("text", "count", "text"), rows, pd.DataFrame({"n": [12, 7]}),
    )  # fmt: skip
    pdf = report.to_pdf(_report_with(table))
    assert pdf.startswith(b"%PDF")
    html = report.to_html(_report_with(table))
    assert LONG_WORD in html


@pytest.mark.parametrize("n_columns", [2, 6])
def test_pdf_columns_keep_a_positive_width_whatever_the_words(n_columns):
    from ilp_core.products.report import _pdf

    header = tuple(f"Column{j}" for j in range(n_columns))
    rows = tuple(tuple(LONG_WORD if i == j else "7" for j in range(n_columns)) for i in range(3))
    table = report.Table(
        "t", "T", header, ("text",) * n_columns, rows, pd.DataFrame(index=range(3))
    )
    widths = _pdf._column_widths(table, 480.0)
    assert sum(widths) == pytest.approx(480.0)
    assert min(widths) > 6.0 + 4.4  # both paddings and at least one character


# -- frames: our maps and reports run without the app's origin -----------------------------


class _Frames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.frames.append(dict(attrs))


def _frames(page: str) -> list[dict[str, str | None]]:
    parser = _Frames()
    parser.feed(page)
    return parser.frames


def test_a_frame_of_ours_runs_without_the_apps_origin():
    from ui import widgets

    page = '<script>parent.document.title = "owned"</script><a href="x">"quoted" &amp;</a>'
    (inner,) = _frames(widgets.sandboxed(page, 500))
    assert inner["sandbox"] == "allow-scripts allow-downloads"
    assert "allow-same-origin" not in widgets.sandboxed(page, 500)
    assert inner["srcdoc"] == page  # the page itself, exactly, one frame deeper


def test_the_report_maps_are_sandboxed_too():
    from ilp_core.products.report import _html

    source = inspect.getsource(_html._map_iframe)
    assert 'sandbox="allow-scripts"' in source and "allow-same-origin" not in source


def test_pages_show_html_only_through_the_sandbox():
    root = Path(__file__).resolve().parents[1]
    for path in [*root.glob("pages/*.py"), *root.glob("ui/*.py")]:
        text = path.read_text(encoding="utf-8")
        calls = re.findall(r"st\.iframe\(([^,)]*)", text)
        # ui/language.py's one-pixel frame must reach the page (<html lang>, Streamlit's
        # own words): it holds only the app's catalog words, JSON-encoded, never data.
        ours = path.name == "language.py" and all(c.strip().startswith("_SCRIPT %") for c in calls)
        assert ours or all("sandboxed(" in c or c.strip() == "page" for c in calls), (path, calls)
        assert "components.html(" not in text and "unsafe_allow_html=True" not in text, path


# -- a hostile upload and a hostile session file, on every page ---------------------------

EVIL = "evil.example"
LINKS = (
    f"[click](https://{EVIL}/c)",
    f"![beacon](https://{EVIL}/b.png)",
    f'=HYPERLINK("https://{EVIL}/h","click")',
    f"<script>fetch('https://{EVIL}/s')</script>",
    f"www.{EVIL} :red[alarm] <https://{EVIL}/a>",
)
PAGES = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "pages").glob("*.py"))


def _hostile_upload():
    from ilp_core.data import ingest
    from ilp_core.data.dataset import Dataset, load_sample

    sample = load_sample()
    inc = sample.incidents.iloc[::200].reset_index(drop=True)
    offences = inc["offence"].astype(str).to_numpy().copy()
    for i, link in enumerate(LINKS):
        offences[i::10] = link  # five hostile offence types, about 50 incidents each
    frame = pd.DataFrame(
        {
            "incident_id": inc["incident_id"].astype(str),
            "occurred_at": inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": offences,
            "lat": inc["lat"],
            "lon": inc["lon"],
            LINKS[1]: "x",  # a column named like an image: messages echo column names
        }
    )
    frame.loc[:3, "occurred_at"] = LINKS[0]  # rejected rows whose reason quotes the value
    name = f"{LINKS[1]}.csv"
    loaded = ingest.load_incidents(
        frame.to_csv(index=False).encode("utf-8"), name, districts=sample.districts
    )
    return Dataset(
        name=name, incidents=loaded.incidents, districts=sample.districts,
        allocation=sample.allocation, report=loaded.report, rejects=loaded.rejects,
    )  # fmt: skip


def _hostile_session() -> bytes:
    from ilp_core.decide import priorities
    from ilp_core.products import intelligence, workspace

    log = intelligence.add_item(
        intelligence.empty_log(), date="2025-06-01", summary=LINKS[0], source="A",
        information="1", handling="H0", problem=LINKS[2],
    )  # fmt: skip
    return (
        workspace.make_workspace(
            fingerprint="other",
            dataset=LINKS[1],
            priority=priorities.make_assessment(priorities.preset("risk_matrix"), fingerprint="x"),
            intel_log=log,
            workshop={"own_ranking": list(LINKS[:3])},
            privacy_actions=[f"drop:{LINKS[1]}", f"pseudonymise:{LINKS[0]}"],
        )
        .to_json()
        .encode("utf-8")
    )


def _markdown_texts(at) -> list[str]:
    kinds = ("markdown", "caption", "warning", "info", "error", "success", "title", "header")
    out = []
    for kind in (*kinds, "subheader"):
        out += [str(e.value) for e in at.get(kind)]
        out += [str(e.value) for e in at.sidebar.get(kind)]
    for radio in at.get("radio"):
        out += [radio.label, *map(str, radio.options)]
    # every widget's label is Markdown too (a harm weight per offence type is labelled
    # with the offence's name)
    for kind in ("number_input", "slider", "checkbox", "toggle", "text_input", "text_area"):
        out += [str(e.label) for e in at.get(kind)]
    return out


def _acting(text: str) -> list[str]:
    """What in ``text`` Markdown would turn into a link, an image or HTML from data."""
    found = []
    tokens = [c for t in _MD.parse(text) for c in (t.children or [t])]
    for token in tokens:
        if token.type in ("link_open", "image", "html_inline", "html_block"):
            found.append(f"{token.type}: {token.attrs or token.content}")
    if f"https://{EVIL}" in text or f"www.{EVIL}" in text or ":red[" in text:
        found.append("an autolink or shortcode left unescaped")
    return found


def test_a_hostile_session_and_upload_never_act_on_any_page(app):
    data = _hostile_upload()
    assert data.report.rejected >= 4
    at = app("pages/strategy.py", state={"ilp.upload": data, "ilp.source": "upload"})
    at.file_uploader(key="strategy.session_file").set_value(
        ("session.json", _hostile_session(), "application/json")
    ).run()
    assert not at.exception
    at.button(key="strategy.load_apply").click().run()
    assert not at.exception
    assert at.session_state["strategy.restored"] == LINKS[1]
    seen, acting = 0, []
    for page in PAGES:
        at.switch_page(f"pages/{page}").run()
        assert not at.exception, page
        if page == "report.py":
            at.button(key="report.build").click().run()
            assert not at.exception
            assert at.session_state["report.last"].findings
        for text in _markdown_texts(at):
            seen += EVIL in text.replace("\\", "")
            acting += [f"{page}: {a} in {text[:80]!r}" for a in _acting(text)]
    assert not acting, "\n".join(acting)
    assert seen >= 5  # the hostile names are shown (as text), not left out
    # and the check sees what it is for: the restored message, unescaped as it was
    from ilp_core import i18n

    assert _acting(i18n.t("strategy.restored", "en", dataset=LINKS[1]))
    assert _acting(f"- {LINKS[0]}") and _acting(LINKS[3]) and _acting(LINKS[4])
