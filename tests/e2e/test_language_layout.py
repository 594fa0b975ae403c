"""Every page in the four languages, read as a person reads it: nothing cut off, no raw names.

For each language the test opens the app, chooses the language in the sidebar and
visits every page through the app's navigation, on the sample region and then on an
export uploaded on the Data page (one in that language: a Russian Windows-1251 file, a
French Latin-1 file, a Spanish file, police.uk for English). It fails on

* text that overflows its box: a label, metric, tab, header or navigation entry whose
  ``scrollWidth`` exceeds its ``clientWidth`` (Streamlit cuts it with an ellipsis), or
  a select box's chosen value wider than the box;
* raw identifiers: snake_case words in the visible text;
* English words on a Russian, French or Spanish page (outside data and proper names).

A screenshot of every page is kept under ``$ILP_ARTEFACTS`` (default: the system's temp
folder) in ``ilp-layout/<lang>/<page>.png`` (``<lang>-upload`` for the export): look at them.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest

from ilp_core import i18n

from .conftest import ROOT, assert_no_error, settle

# Its own worker and app server (the other browser tests share one): its eight passes over
# every page are the longest of the browser tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser_layout")]

ARTEFACTS = Path(os.environ.get("ILP_ARTEFACTS", tempfile.gettempdir())) / "ilp-layout"
PAGES = (
    "home", "data", "patterns_where", "patterns_concentration", "patterns_when", "near_repeat",
    "outlook", "priorities", "allocation", "intelligence", "strategy", "report", "workshop",
    "audit", "admin",
)  # fmt: skip
#: Pages that show the same whatever the dataset (the workshop runs on the sample region).
SAMPLE_ONLY = frozenset({"workshop", "audit", "admin"})
LANGUAGES = {"en": "English", "ru": "Русский", "fr": "Français", "es": "Español"}
#: The export uploaded in each language (tests/fixtures/real_make.py).
EXPORTS = {
    "en": "police_uk_month.csv", "ru": "ru_cp1251.csv", "fr": "fr_latin1.csv", "es": "es_export.csv"
}  # fmt: skip
BOXES = ", ".join(
    [
        '[data-testid="stWidgetLabel"] p',
        '[data-testid="stMetricLabel"] p',
        '[data-testid="stMetricValue"] div',
        '[data-testid="stSidebarNav"] a span',
        '[data-testid="stTab"] p',
        '[data-testid="stHeading"] h1',
        '[data-testid="stHeading"] h2',
        '[data-testid="stHeading"] h3',
    ]
)
OVERFLOWING = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.innerText.trim()).filter((t) => t)"""
#: A select box's value is the text of an ``<input>``, whose scrollWidth does not grow
#: with its text: the text is measured in the input's font against the room it has.
CUT_SELECTS = """() => {
    const ctx = document.createElement("canvas").getContext("2d");
    return Array.from(document.querySelectorAll(
        '[data-testid="stSelectbox"] input[role="combobox"]'))
        .filter((el) => el.offsetParent !== null && el.value)
        .filter((el) => {
            const s = getComputedStyle(el);
            ctx.font = s.font;
            const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return ctx.measureText(el.value).width > room + 1;
        })
        .map((el) => el.value);
}"""
SNAKE = re.compile(r"(?<![\w./:-])[a-z]+(?:_[a-z0-9]+)+(?![\w./-])")
#: Data quoted in messages: a file's own column names in «…» or "…", file names.
DATA = re.compile(
    r"«[^»]*»|\"[^\"]*\"|“[^”]*”|\S+\.(?:csv|tsv|txt|xlsx|json|geojson|parquet|zip)\b"
)
#: Words a Russian, French or Spanish page never needs in English.
ENGLISH = re.compile(
    r"\b(the|and|with|which|incidents|Download|Choose|Upload|per file|Show|Hide|Drag)\b"
)
#: English words that are also words of the language (French writes "incidents" too).
SAME_WORD = {"fr": {"incidents"}}

VISIBLE_TEXT = """() => {
    // Text people read: not icon ligatures (":material/upload_file:" renders the word
    // "upload_file" in an icon font) and not the data inside tables (the data are theirs).
    const skip = '[data-testid="stIconMaterial"], [data-testid="stDataFrame"], ' +
        '[data-testid="stTable"], code, pre, iframe';
    const roots = ['[data-testid="stMain"]', '[data-testid="stSidebar"]']
        .map((s) => document.querySelector(s)).filter((r) => r);
    const out = [];
    for (const root of roots) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const el = node.parentElement;
            if (!el || el.closest(skip) || el.offsetParent === null) continue;
            if (getComputedStyle(el).fontFamily.includes("Material")) continue;
            out.push(node.nodeValue);
        }
    }
    return out.join(" ");
}"""


def _choose_language(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name).click()
    settle(page)


def _visit(page, slug: str) -> None:
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]')
    if slug == "home" or not link.count():
        link = page.locator('[data-testid="stSidebarNav"] a').first
    link.first.click()
    settle(page)
    time.sleep(0.5)  # maps and charts draw after the script has finished


def _read_every_page(
    page, lang: str, folder: Path, pages: tuple[str, ...] = PAGES
) -> dict[str, list[str]]:
    """Visit every page; what each shows wrong (cut off, identifiers, English words)."""
    folder.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for slug in pages:
        _visit(page, slug)
        assert_no_error(page)
        page.screenshot(path=str(folder / f"{slug}.png"), full_page=True)
        cut = [*page.evaluate(OVERFLOWING, BOXES), *page.evaluate(CUT_SELECTS)]
        found = [f"cut off: {t[:60]!r}" for t in cut]
        text = DATA.sub(" ", page.evaluate(VISIBLE_TEXT))
        found += [f"identifier: {w}" for w in sorted(set(SNAKE.findall(text)))]
        if lang != "en":
            english = set(ENGLISH.findall(text)) - SAME_WORD.get(lang, set())
            found += [f"English: {w}" for w in sorted(english)]
        if found:
            problems[slug] = found
    return problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{slug}: {'; '.join(f)}" for slug, f in problems.items())


def _open_in(page, server, lang: str) -> None:
    page.goto(server)
    settle(page)
    if lang != "en":
        _choose_language(page, LANGUAGES[lang])


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_reads_well_in_the_language(page, server, lang):
    _open_in(page, server, lang)
    problems = _read_every_page(page, lang, ARTEFACTS / lang)
    assert not problems, _report(problems)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_reads_well_on_an_uploaded_export(page, server, lang):
    _open_in(page, server, lang)
    _visit(page, "data")
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
    uploader.set_input_files(str(ROOT / "tests" / "fixtures" / EXPORTS[lang]))
    settle(page)
    assert_no_error(page)
    page.get_by_role("button", name=i18n.t("data.load_button", lang)).click()
    settle(page)
    assert_no_error(page)
    assert EXPORTS[lang] in page.inner_text("body")  # the quality report is the upload's
    shown = tuple(p for p in PAGES if p not in SAMPLE_ONLY)
    problems = _read_every_page(page, lang, ARTEFACTS / f"{lang}-upload", shown)
    assert not problems, _report(problems)
