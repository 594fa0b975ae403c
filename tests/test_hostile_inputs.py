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

from ilp_core.products import report

LONG_WORD = "X" * 700  # a 700-character offence name without a space


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
        assert all("sandboxed(" in c or c.strip() == "page" for c in calls), (path, calls)
        assert "components.html(" not in text and "unsafe_allow_html=True" not in text, path
