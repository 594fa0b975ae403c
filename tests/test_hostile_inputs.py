"""Hostile inputs end in a right answer or a clear message, never an uncaught exception.

The cases of issue 14 that are not bombs (tests/test_limits.py) nor fuzzing
(tests/test_fuzz_inputs.py): a word too long for any table column in the PDF, and
text from data that would act as Markdown, HTML or a link if it were not escaped.
"""

from __future__ import annotations

import datetime as dt

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
