"""The room's results to take home: CSV (formula-neutralised), Markdown (escaped), PDF.

Every text from participants (free answers, nicknames they chose to show) and from
the data (problem names) is treated as text: the CSV goes through
:func:`ilp_core.products.export.csv_bytes` (a cell starting with ``=``, ``+``,
``-`` or ``@`` cannot run as a formula), Markdown escapes every character that
would make a link, an image, emphasis or a table cell (:func:`md_text`), and the
PDF escapes ReportLab's XML markup. The PDF is drawn in DejaVu Sans (matplotlib's
copy), so Cyrillic and accented text print in every language.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import pandas as pd

from ilp_core import i18n
from ilp_core.learn.room._results import RoomResults
from ilp_core.products.export import csv_bytes

#: Columns of :func:`results_table` (one tidy table for the CSV).
TABLE_COLUMNS: Final[tuple[str, ...]] = ("section", "step", "item", "measure", "value")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$=:\"'])")


def md_text(value: Any) -> str:
    r"""``value`` as Markdown that shows it as written (no link, image, emphasis, HTML, cell break).

    Examples
    --------
    >>> md_text("[click](http://x) <b>*hi*</b> | a")
    '\\[click\\]\\(http\\:\\/\\/x\\) \\<b\\>\\*hi\\*\\<\\/b\\> \\| a'
    """
    text = " ".join(str(value).split())  # no new line: it would end a table row or a list
    return _MD_SPECIAL.sub(r"\\\1", text.replace("/", "\u2044")).replace("\u2044", "\\/")


def _fmt(value: Any, lang: str, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return i18n.number(value, lang, 0 if value.is_integer() else decimals)
    if isinstance(value, int):
        return i18n.number(value, lang)
    return str(value)


def results_table(results: RoomResults) -> pd.DataFrame:
    """The room's results as one tidy table: section, step, item, measure, value.

    Examples
    --------
    >>> results_table(RoomResults(members=3, answered={"lesson": 2})).values.tolist()
    [['participants', '', '', 'joined', 3], ['participants', 'lesson', '', 'answered', 2]]
    """
    rows: list[tuple[str, str, str, str, Any]] = [
        ("participants", "", "", "joined", results.members)
    ]
    rows += [("participants", s, "", "answered", n) for s, n in results.answered.items()]
    c = results.ranking
    if c is not None:
        for rec in c.table.to_dict("records"):
            rows += [("ranking", "", rec["problem"], k, rec[k]) for k in list(rec)[1:]]
        if c.agreement is not None:
            a = c.agreement
            for k in ("w", "chi2", "df", "p_value", "m", "n"):
                rows.append(("agreement", "", "", k, getattr(a, k)))
        rows += [("disagreed", "", p, "order", i) for i, p in enumerate(c.disagreed, 1)]
        if c.rho is not None:
            rows.append(("agreement", "", "", "spearman_rho_scored", c.rho))
        rows.append(("ranking", "", "", "incomplete", c.incomplete))
    w = results.weights
    if w is not None:
        for rec in w.weights.to_dict("records"):
            rows += [("weights", "", rec["criterion"], k, rec[k]) for k in list(rec)[1:]]
        for rec in w.ranges.to_dict("records"):
            rows += [("weight_ranges", "", rec["problem"], k, rec[k]) for k in list(rec)[1:]]
        rows.append(("weight_ranges", "", "", "distinct_rankings", w.distinct_rankings))
    for step, table in results.choices.items():
        for rec in table.to_dict("records"):
            rows += [("choice", step, rec["option"], k, rec[k]) for k in ("count", "share")]
    for step, table in results.free.items():
        for rec in table.to_dict("records"):
            rows.append(("free", step, rec["answer"], "count", rec["count"]))
            if rec["shown_by"]:
                rows.append(("free", step, rec["answer"], "shown_by", rec["shown_by"]))
    out = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    out["value"] = out["value"].astype(object)
    return out


def results_csv(results: RoomResults) -> bytes:
    """:func:`results_table` as UTF-8 CSV, every text cell neutralised against formulas."""
    return csv_bytes(results_table(results))


# -- the human-readable tables shared by Markdown and PDF --------------------------------


def _sections(
    results: RoomResults, lang: str, title: str
) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(heading, header, rows, note) of each section, every cell as plain text."""
    t = lambda key, **p: i18n.t(key, lang, **p)  # noqa: E731
    term = lambda v: i18n.term(v, lang)  # noqa: E731
    out: list[tuple[str, list[str], list[list[str]], str]] = []
    counts = [[t(f"room.step.{s}.title"), _fmt(n, lang)] for s, n in results.answered.items()]
    out.append(
        (
            t("room.export.participants", n=results.members),
            [t("room.col.step"), t("room.col.answered")],
            counts,
            "",
        )
    )
    c = results.ranking
    if c is not None:
        cols = ["consensus_rank", "problem", "mean_rank", "borda", "scored_rank", "rank_sd"]
        rows = [
            [
                _fmt(r["consensus_rank"], lang),
                term(r["problem"]),
                _fmt(r["mean_rank"], lang),
                _fmt(r["borda"], lang),
                _fmt(r["scored_rank"], lang),
                _fmt(r["rank_sd"], lang),
            ]
            for r in c.table.to_dict("records")
        ]
        out.append(
            (
                t("room.section.ranking"),
                [t(f"room.col.{k}") for k in cols],
                rows,
                agreement_sentence(results, lang),
            )
        )
    w = results.weights
    if w is not None:

        def crit(k: str) -> str:
            key = f"priorities.criterion.{k}"
            return i18n.t(key, lang) if i18n.has(key, lang) else k

        cols = ["criterion", "n", "mean", "median", "min", "max"]
        rows = [
            [crit(r["criterion"])] + [_fmt(r[k], lang) for k in cols[1:]]
            for r in w.weights.to_dict("records")
        ]
        out.append((t("room.section.weights"), [t(f"room.col.{k}") for k in cols], rows, ""))
        cols = ["problem", "rank_at_mean_weights", "best_rank", "worst_rank"]
        rows = [
            [term(r["problem"])] + [_fmt(r[k], lang) for k in cols[1:]]
            for r in w.ranges.to_dict("records")
        ]
        note = t("room.weights_note", n=w.distinct_rankings)
        out.append((t("room.section.ranges"), [t(f"room.col.{k}") for k in cols], rows, note))
    for step, table in results.choices.items():
        opt = lambda o, s=step: i18n.t(f"room.step.{s}.option.{o}", lang)  # noqa: E731
        rows = [
            [opt(r["option"]), _fmt(r["count"], lang), i18n.percent(r["share"], lang)]
            for r in table.to_dict("records")
        ]
        out.append(
            (
                t(f"room.step.{step}.title"),
                [t("room.col.option"), t("room.col.count"), t("room.col.share")],
                rows,
                "",
            )
        )
    for step, table in results.free.items():
        rows = [
            [r["answer"], _fmt(r["count"], lang), r["shown_by"]] for r in table.to_dict("records")
        ]
        out.append(
            (
                t(f"room.step.{step}.title"),
                [t("room.col.answer"), t("room.col.count"), t("room.col.shown_by")],
                rows,
                "",
            )
        )
    del title
    return out


def agreement_sentence(results: RoomResults, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Kendall's W and its p-value in plain words (empty without two complete rankings).

    Examples
    --------
    >>> from ilp_core.learn.room._consensus import consensus
    >>> c = consensus([["a", "b"], ["a", "b"]], ["a", "b"])
    >>> agreement_sentence(RoomResults(members=2, answered={}, ranking=c))[:40]
    'Agreement (Kendall’s W) = 1.00: the room'
    """
    c = results.ranking
    if c is None or c.agreement is None:
        return ""
    a = c.agreement
    band = "strong" if a.w >= 0.7 else "moderate" if a.w >= 0.4 else "weak"
    return i18n.t(
        f"room.agreement_{band}",
        lang,
        w=i18n.number(a.w, lang, 2),
        p=i18n.number(a.p_value, lang, 3),
        m=a.m,
    )


def results_markdown(
    results: RoomResults, lang: str = i18n.DEFAULT_LANGUAGE, *, title: str = ""
) -> str:
    """The room's results as a Markdown document in ``lang`` (every cell escaped).

    Examples
    --------
    >>> from ilp_core.learn.room._answers import group_free
    >>> r = RoomResults(members=1, answered={"lesson": 1},
    ...                 free={"lesson": group_free([("[x](javascript:alert(1))", "")])})
    >>> "](javascript" in results_markdown(r, "en", title="Room <b>")
    False
    """
    lines = [f"# {md_text(title or i18n.t('room.export.title', lang))}", ""]
    for heading, header, rows, note in _sections(results, lang, title):
        lines += [f"## {md_text(heading)}", ""]
        if rows:
            lines.append("| " + " | ".join(md_text(h) for h in header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(md_text(v) for v in row) + " |" for row in rows]
        else:
            lines.append(f"_{md_text(i18n.t('room.no_answers', lang))}_")
        if note:
            lines += ["", md_text(note)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def results_pdf(
    results: RoomResults, lang: str = i18n.DEFAULT_LANGUAGE, *, title: str = ""
) -> bytes:
    """The room's results as a PDF in ``lang`` (A4, DejaVu Sans, text escaped).

    Examples
    --------
    >>> results_pdf(RoomResults(members=0, answered={}), "ru")[:5]
    b'%PDF-'
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold = _fonts()
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    head = ParagraphStyle("h", fontName=bold, fontSize=13, leading=17, spaceBefore=8)
    top = ParagraphStyle("t", fontName=bold, fontSize=17, leading=22)
    cell: Callable[[str], Any] = lambda s: Paragraph(escape(str(s)), body)  # noqa: E731
    story: list[Any] = [Paragraph(escape(title or i18n.t("room.export.title", lang)), top)]
    for heading, header, rows, note in _sections(results, lang, title):
        story += [Paragraph(escape(heading), head), Spacer(1, 2 * mm)]
        if rows:
            table = Table(
                [[cell(h) for h in header]] + [[cell(v) for v in r] for r in rows], repeatRows=1
            )
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#deebf7")),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bdbdbd")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
        else:
            story.append(cell(i18n.t("room.no_answers", lang)))
        if note:
            story += [Spacer(1, 2 * mm), cell(note)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="ILP room",
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()


def _fonts() -> tuple[str, str]:
    """DejaVu Sans registered with ReportLab (the report's registration, or our own)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        import matplotlib

        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"
