"""The strategic assessment as a PDF: made on a server with no browser and no network.

The PDF renders the same :class:`ilp_core.products.report.Report` as the HTML export with
ReportLab: every word and number is text drawn by ReportLab (searchable,
copyable, read by screen readers), in DejaVu Sans (shipped with matplotlib), so
Cyrillic and accented text render in every language. Charts and maps are static
images drawn with matplotlib's object API (no pyplot, no display needed); maps
show the same aggregates as the HTML maps (district polygons and grid cells),
projected with the cosine of the latitude so that shapes keep their proportions.

ReportLab's ``Paragraph`` parses a small XML markup: every text that goes into
one is XML-escaped first (:func:`xml.sax.saxutils.escape`), so an offence name
such as ``<b>`` or a note with ``&`` prints as written. In matplotlib, ``$``
starts mathematical text, so data labels have it escaped too.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from ilp_core import figures, i18n
from ilp_core.products.report._content import Figure, MapBlock, Report, Table, Text
from ilp_core.products.report._format import _band

#: Font family registered with ReportLab (regular and bold).
FONT: Final[str] = "DejaVuSans"
FONT_BOLD: Final[str] = "DejaVuSans-Bold"
_DPI: Final[int] = 120
_GREY: Final[str] = "#bdbdbd"


@cache
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (matplotlib's copy) with ReportLab once; return the two names."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return FONT, FONT_BOLD


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "title": ParagraphStyle(
            "title", base, fontName=bold, fontSize=22, leading=27, spaceAfter=6
        ),
        "subtitle": ParagraphStyle(
            "subtitle", base, fontSize=13, leading=17, textColor=colors.HexColor("#444444")
        ),
        "meta": ParagraphStyle(
            "meta", base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")
        ),
        "h1": ParagraphStyle(
            "h1", base, fontName=bold, fontSize=15, leading=19, spaceBefore=10, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=bold, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=3
        ),
        "p": base,
        "note": ParagraphStyle(
            "note", base, fontSize=8.5, leading=11, textColor=colors.HexColor("#555555")
        ),
        "warning": ParagraphStyle(
            "warning", base, fontSize=8.5, leading=11, textColor=colors.HexColor("#8a5a00")
        ),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2),
        "notice": ParagraphStyle(
            "notice",
            base,
            borderColor=colors.HexColor("#b2182b"),
            borderWidth=0.8,
            borderPadding=5,
            backColor=colors.HexColor("#fdf1ef"),
            spaceBefore=6,
            spaceAfter=10,
        ),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9, spaceAfter=0),
        "cell_right": ParagraphStyle(
            "cell_right", base, fontSize=7.5, leading=9, spaceAfter=0, alignment=2
        ),
        "head": ParagraphStyle("head", base, fontName=bold, fontSize=7.5, leading=9, spaceAfter=0),
        "head_right": ParagraphStyle(
            "head_right", base, fontName=bold, fontSize=7.5, leading=9, spaceAfter=0, alignment=2
        ),
    }


def _para(text: str, style: Any, bullet: str | None = None) -> Any:
    """A ReportLab paragraph of plain text: markup characters are escaped, never parsed."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style, bulletText=bullet)


def to_pdf(report: Report) -> bytes:
    """Render the report as an A4 PDF (text by ReportLab, static charts and maps).

    Parameters
    ----------
    report
        Output of :func:`ilp_core.products.report.build_report`.

    Returns
    -------
    bytes
        The PDF file.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> from ilp_core.products.report import build_report
    >>> pdf = to_pdf(build_report(load_sample(), sections=("data",), lang="ru"))
    >>> pdf[:5]
    b'%PDF-'
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        subject=report.subtitle,
        author="ilp_core " + report.version,
        creator="ilp_core " + report.version,
        lang=report.lang,
    )
    width = doc.width
    story: list[Any] = [
        _para(report.title, styles["title"]),
        _para(report.subtitle, styles["subtitle"]),
        _para(
            i18n.t(
                "report.created", report.lang, date=i18n.date(report.created, report.lang, "long")
            )
            + f" · ilp_core {report.version} · "
            + i18n.t("report.methods.fingerprint", report.lang)
            + f" {report.fingerprint}",
            styles["meta"],
        ),
        Spacer(1, 6),
    ]
    story += [_para(n, styles["notice"]) for n in report.notices]
    for section in report.sections:
        story.append(_para(section.title, styles["h1"]))
        for block in section.blocks:
            story += _flowables(block, report, styles, width)
    footer = i18n.t("report.pdf_footer", report.lang)

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.drawString(document.leftMargin, 10 * mm, footer)
        canvas.drawRightString(
            document.leftMargin + document.width, 10 * mm, str(canvas.getPageNumber())
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _flowables(block: Any, report: Report, styles: dict[str, Any], width: float) -> list[Any]:
    if isinstance(block, Text):
        if block.style == "bullet":
            return [_para(block.text, styles["bullet"], bullet="•")]
        return [_para(block.text, styles.get(block.style, styles["p"]))]
    if isinstance(block, Table):
        return _table(block, styles, width)
    if isinstance(block, Figure):
        png, aspect = _figure_png(block, report.lang)
        return _image(png, aspect, block.title, block.caption, styles, width)
    if isinstance(block, MapBlock):
        png, aspect = _map_png(block, report.lang)
        return _image(png, aspect, block.title, block.caption, styles, width)
    raise TypeError(f"unknown report block {type(block).__name__}")


def _image(
    png: bytes, aspect: float, title: str, caption: str, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.platypus import Image, KeepTogether

    height = min(width * aspect, 150 * 72 / 25.4)
    image = Image(io.BytesIO(png), width=height / aspect, height=height)
    parts = [_para(title, styles["h2"]), image]
    if caption:
        parts.append(_para(caption, styles["note"]))
    return [KeepTogether(parts)]


def _table(block: Table, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    right = [k in ("count", "number") for k in block.kinds]
    header = [
        _para(h, styles["head_right"] if r else styles["head"])
        for h, r in zip(block.header, right, strict=True)
    ]
    body = [
        [
            _para(c, styles["cell_right"] if r else styles["cell"])
            for c, r in zip(row, right, strict=True)
        ]
        for row in block.rows
    ]
    widths = _column_widths(block, width)
    table = RLTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    out = [_para(block.title, styles["h2"]), table]
    if block.note:
        out.append(_para(block.note, styles["note"]))
    return out


#: Longest word (characters) a table column is widened for; longer words are broken.
_LONGEST_WORD = 24


def _column_widths(block: Table, width: float) -> list[float]:
    """Columns wide enough for their longest word, the rest shared by typical length.

    A word counts up to :data:`_LONGEST_WORD` characters: a longer one (a 700-character
    offence name without a space) is broken across lines by ReportLab
    (``splitLongWords``) instead of squeezing the other columns below zero width,
    which lost the whole report.
    """
    per_char, padding = 4.4, 8.0  # DejaVu Sans at 7.5 pt: about 4.4 pt a character
    low, want = [], []
    for j, head in enumerate(block.header):
        cells = [str(row[j]) for row in block.rows] or [""]
        words = [w for c in cells for w in (c.split() or [""])]
        bold = 1.15  # header words are bold, wider per character
        longest = max(max(len(w) for w in words), bold * max(len(w) for w in head.split() or [""]))
        longest = min(longest, _LONGEST_WORD)
        typical = float(np.percentile([len(c) for c in cells], 90))
        low.append(longest * per_char + padding)
        want.append(max(longest, min(typical, 70.0)) * per_char + padding)
    if sum(want) <= width:
        return [width * w / sum(want) for w in want]
    if sum(low) >= width:
        return [width * w / sum(low) for w in low]
    spare = width - sum(low)
    extra = [w - m for w, m in zip(want, low, strict=True)]
    return [m + spare * e / sum(extra) for m, e in zip(low, extra, strict=True)]


# --------------------------------------------------------------------------------------
# Static charts (matplotlib, object API)
# --------------------------------------------------------------------------------------


def _mpl(text: Any) -> str:
    """Data text for matplotlib: ``$`` would start mathematical text."""
    return str(text).replace("$", r"\$")


def _new_figure(width_in: float, height_in: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width_in, height_in), dpi=_DPI)
    FigureCanvasAgg(fig)
    fig.set_layout_engine("constrained")
    return fig, fig.add_subplot(1, 1, 1)


def _png(fig: Any) -> tuple[bytes, float]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    w, h = fig.get_size_inches()
    return buffer.getvalue(), float(h / w)


def _font(fig: Any) -> None:
    for text in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
        text.set_fontfamily("DejaVu Sans")


def _figure_png(block: Figure, lang: str) -> tuple[bytes, float]:
    drawers = {
        "hour_weekday": _draw_hour_weekday,
        "series": _draw_series,
        "comparison": _draw_comparison,
        "knox": _draw_knox,
        "contributions": _draw_contributions,
        "forecast": _draw_forecast,
    }
    if block.kind not in drawers:
        raise ValueError(f"unknown figure kind {block.kind!r}")
    fig = drawers[block.kind](block.data, lang)
    _font(fig)
    return _png(fig)


def _draw_hour_weekday(data: dict[str, Any], lang: str) -> Any:

    matrix = data["matrix"].to_numpy(dtype=float)
    fig, ax = _new_figure(7.5, 3.2)
    image = ax.imshow(np.ma.masked_invalid(matrix), aspect="auto", cmap="viridis")
    ax.set_yticks(range(7), [_mpl(d) for d in figures.when.weekday_names(lang)])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=7)
    ax.set_xlabel(_mpl(i18n.t("charts.hour_of_day", lang)))
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(_mpl(i18n.t("charts.incidents", lang)))
    return fig


def _draw_series(data: dict[str, Any], lang: str) -> Any:
    control, offence, trend = data["control"], data["offence"], data["trend"]
    t = control.table.loc[control.table["offence"] == offence].sort_values("period_start")
    x = pd.to_datetime(t["period_start"]).to_numpy()
    fig, ax = _new_figure(7.5, 3.0)
    upper = t["upper"].to_numpy(dtype=float)
    lower = t["lower"].to_numpy(dtype=float)
    ax.fill_between(
        x,
        lower,
        upper,
        color="#92c5de",
        alpha=0.35,
        linewidth=0,
        label=_mpl(i18n.t("report.pdf.limits", lang)),
    )
    ax.plot(
        x,
        t["expected"].to_numpy(dtype=float),
        "--",
        color="#636363",
        linewidth=1,
        label=_mpl(i18n.t("temporal.column.expected", lang)),
    )
    ax.plot(
        x,
        t["count"].to_numpy(dtype=float),
        "-o",
        color="#252525",
        markersize=2.5,
        linewidth=1,
        label=_mpl(i18n.t("charts.incidents", lang)),
    )
    row = trend.table.loc[trend.table["offence"] == offence]
    if len(row):
        r = row.iloc[0]
        first = pd.Timestamp(trend.first_period)
        months = (pd.to_datetime(t["period_start"]).dt.year - first.year) * 12 + (
            pd.to_datetime(t["period_start"]).dt.month - first.month
        )
        fitted = float(r["sen_intercept"]) + float(r["sen_slope"]) * months.to_numpy(dtype=float)
        ax.plot(
            x,
            fitted,
            ":",
            color="#e08214",
            linewidth=1.5,
            label=_mpl(i18n.t("report.pdf.trend", lang)),
        )
    high = t["exceptional"].astype(str).to_numpy() == "high"
    ax.plot(x[high], t["count"].to_numpy(dtype=float)[high], "^", color="#b2182b", markersize=6)
    ax.set_ylabel(_mpl(i18n.t("charts.incidents_per_month", lang)))
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return fig


def _draw_forecast(data: dict[str, Any], lang: str) -> Any:
    result, series = data["forecast"], data["series"]
    h = result.history.loc[result.history["series"] == series]
    f = result.forecast.loc[result.forecast["series"] == series]
    fx = pd.to_datetime(f["period_start"]).to_numpy()
    fig, ax = _new_figure(7.5, 3.0)
    for low, high, alpha, key in (
        ("lower_95", "upper_95", 0.25, "forecast.chart.band_95"),
        ("lower_80", "upper_80", 0.45, "forecast.chart.band_80"),
    ):
        ax.fill_between(
            fx, f[low].to_numpy(dtype=float), f[high].to_numpy(dtype=float), color="#92c5de",
            alpha=alpha, linewidth=0, label=_mpl(i18n.t(key, lang)),
        )  # fmt: skip
    ax.plot(
        pd.to_datetime(h["period_start"]).to_numpy(), h["count"].to_numpy(dtype=float), "-o",
        color="#252525", markersize=2.5, linewidth=1,
        label=_mpl(i18n.t("forecast.chart.history", lang)),
    )  # fmt: skip
    model = i18n.t(f"forecast.model.{f['model'].iloc[0]}", lang) if len(f) else ""
    ax.plot(
        fx, f["forecast"].to_numpy(dtype=float), "--", color="#2166ac", linewidth=1.5,
        label=_mpl(i18n.t("forecast.chart.forecast", lang, model=model)),
    )  # fmt: skip
    ax.set_ylabel(_mpl(i18n.t("forecast.chart.incidents", lang)))
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return fig


def _draw_comparison(data: dict[str, Any], lang: str) -> Any:
    c = data["comparison"]
    t = c.table.reset_index(drop=True)
    fig, ax = _new_figure(7.5, max(2.2, 0.24 * len(t) + 0.9))
    colours = {"increase": "#b2182b", "decrease": "#2166ac", "no_change": _GREY}
    y = np.arange(len(t))
    values = np.nan_to_num(t["pct_change"].to_numpy(dtype=float))
    ax.barh(y, values, color=[colours.get(str(v), _GREY) for v in t["verdict"]])
    ax.set_yticks(y, [_mpl(i18n.term(v, lang)) for v in t[c.by]], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#636363", linewidth=0.8)
    span = max(1.0, float(np.abs(values).max()) if len(values) else 1.0)
    for i, (a, b, v) in enumerate(zip(t["count_a"], t["count_b"], values, strict=True)):
        label = f"{i18n.number(a, lang)} → {i18n.number(b, lang)}"
        ax.text(v + (0.02 * span if v >= 0 else -0.02 * span), i, label, va="center",
                ha="left" if v >= 0 else "right", fontsize=6.5)  # fmt: skip
    ax.set_xlim(-1.35 * span, 1.35 * span)
    ax.set_xlabel(_mpl(i18n.t("charts.pct_change", lang)))
    ax.grid(axis="x", alpha=0.3)
    return fig


def _draw_knox(data: dict[str, Any], lang: str) -> Any:
    from matplotlib.colors import TwoSlopeNorm

    knox = data["knox"]
    ratio = knox.ratio.to_numpy(dtype=float)
    p = knox.p_value.to_numpy(dtype=float)
    finite = ratio[np.isfinite(ratio)]
    spread = max(0.1, float(np.max(np.abs(finite - 1.0))) if finite.size else 1.0)
    fig, ax = _new_figure(7.5, 0.42 * ratio.shape[0] + 1.4)
    image = ax.imshow(np.ma.masked_invalid(ratio), aspect="auto", cmap="RdBu_r",
                      norm=TwoSlopeNorm(1.0, 1.0 - spread, 1.0 + spread))  # fmt: skip
    rows = [_mpl(_band(v, lang)) for v in knox.ratio.index]
    cols = [_mpl(_band(v, lang)) for v in knox.ratio.columns]
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    ax.set_xticks(range(len(cols)), cols, fontsize=7)
    for r in range(ratio.shape[0]):
        for c in range(ratio.shape[1]):
            text = "–" if not np.isfinite(ratio[r, c]) else i18n.number(ratio[r, c], lang, 2)
            star = "*" if p[r, c] <= 0.05 else ""
            ax.text(
                c,
                r,
                f"{text}{star}\np = {i18n.number(p[r, c], lang, 2)}",
                ha="center",
                va="center",
                fontsize=6,
            )
    ax.set_xlabel(_mpl(i18n.t("charts.days_apart", lang)))
    ax.set_ylabel(_mpl(i18n.t("charts.metres_apart", lang)))
    fig.colorbar(image, ax=ax).set_label(_mpl(i18n.t("charts.knox_ratio", lang)))
    return fig


def _draw_contributions(data: dict[str, Any], lang: str) -> Any:
    from ilp_core.decide import priorities

    ranking = data["ranking"]
    t = ranking.table.head(15)
    labels = [_mpl(x) for x in priorities.problem_labels(t, lang)]
    cfg = priorities.settings().criteria
    shades = {
        "harm": ["#67000d", "#a50f15", "#cb181d", "#ef3b2c", "#fb6a4a", "#fc9272"],
        "likelihood": ["#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1"],
        "position": ["#00441b", "#006d2c", "#238b45", "#41ab5d", "#74c476", "#a1d99b"],
    }
    used: dict[str, int] = {}
    series = []
    for key in ranking.criteria:
        group = cfg[key].group if key in cfg else "harm"
        palette = shades.get(group, shades["harm"])
        series.append(
            (
                f"contrib_{key}",
                priorities.criterion_label(key, lang),
                palette[used.get(group, 0) % len(palette)],
            )
        )
        used[group] = used.get(group, 0) + 1
    series.append(("contrib_base", i18n.t("priorities.col.contrib_base", lang), "#969696"))
    if "contrib_rounding" in t.columns:
        series.append(
            ("contrib_rounding", i18n.t("priorities.col.contrib_rounding", lang), "#d9d9d9")
        )
    fig, ax = _new_figure(7.5, 0.26 * len(t) + 2.2)
    y = np.arange(len(t))
    left_pos = np.zeros(len(t))
    left_neg = np.zeros(len(t))
    for column, name, colour in series:
        values = t[column].to_numpy(dtype=float)
        if not np.abs(values).sum():
            continue
        start = np.where(values >= 0, left_pos, left_neg + values)
        ax.barh(
            y,
            np.abs(values),
            left=start,
            color=colour,
            label=_mpl(name),
            edgecolor="white",
            linewidth=0.3,
        )
        left_pos = left_pos + np.clip(values, 0, None)
        left_neg = left_neg + np.clip(values, None, 0)
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(_mpl(i18n.t("priorities.col.score", lang)))
    ax.legend(fontsize=5.5, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------
# Static maps
# --------------------------------------------------------------------------------------


def _rings(geometry: Any) -> list[np.ndarray]:
    """Exterior rings of a polygon or multipolygon as (lon, lat) arrays."""
    if geometry is None or geometry.is_empty:
        return []
    parts = getattr(geometry, "geoms", [geometry])
    return [np.asarray(p.exterior.coords) for p in parts if hasattr(p, "exterior")]


def _add_polygons(
    ax: Any,
    geometries: Sequence[Any],
    faces: Sequence[str] | str,
    *,
    edge: str = "none",
    linewidth: float = 0.0,
    alpha: float = 1.0,
) -> None:
    from matplotlib.collections import PolyCollection

    verts, colours = [], []
    for i, geometry in enumerate(geometries):
        for ring in _rings(geometry):
            verts.append(ring)
            colours.append(faces if isinstance(faces, str) else faces[i])
    if verts:
        ax.add_collection(
            PolyCollection(
                verts, facecolors=colours, edgecolors=edge, linewidths=linewidth, alpha=alpha
            )
        )


def _map_axes(bounds: Sequence[float]) -> tuple[Any, Any]:
    west, south, east, north = bounds
    mid = math.radians((south + north) / 2)
    ratio = (north - south) / max(1e-9, (east - west) * math.cos(mid))
    width = 7.0
    fig, ax = _new_figure(width, min(8.0, max(3.0, width * ratio * 0.8 + 0.6)))
    pad_x, pad_y = 0.03 * (east - west), 0.03 * (north - south)
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(1.0 / math.cos(mid))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#999999")
    return fig, ax


def _legend(ax: Any, items: Sequence[tuple[str, str]], title: str) -> None:
    from matplotlib.patches import Patch

    if items:
        handles = [Patch(facecolor=c, edgecolor="#555555", label=_mpl(label)) for c, label in items]
        ax.legend(handles=handles, title=_mpl(title), fontsize=6.5, title_fontsize=7,
                  loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)  # fmt: skip


def _map_png(block: MapBlock, lang: str) -> tuple[bytes, float]:

    data = block.data
    outlines = data.get("outlines") if block.kind != "allocation" else data["areas"]
    layers = [g for g in (outlines, data.get("districts")) if g is not None and len(g)]
    if block.kind == "hotspots":
        cells = data["gi"].table
    elif block.kind == "change":
        cells = data["change"].table
    else:
        cells = None
    if cells is not None and len(cells):
        layers.append(cells)
    bounds = np.array([g.to_crs("EPSG:4326").total_bounds for g in layers])
    fig, ax = _map_axes(
        (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    )
    legend: list[tuple[str, str]] = []
    title = ""
    if block.kind == "hotspots":
        districts = data.get("districts")
        if districts is not None and len(districts):
            values = districts["count"].to_numpy(dtype=float)
            breaks = figures.maps.class_breaks(values)
            _add_polygons(
                ax,
                districts.geometry.to_numpy(),
                figures.maps.colour_for(values, breaks),
                alpha=0.55,
            )
        cls = cells["gi_class"].astype(str)
        shown = cls.isin(list(figures.maps.GI_COLOURS)).to_numpy()
        _add_polygons(
            ax, cells.geometry.to_numpy()[shown], [figures.maps.GI_COLOURS[c] for c in cls[shown]]
        )
        legend = [
            (figures.maps.GI_COLOURS[c], i18n.t(f"hotspots.class.{c}", lang))
            for c in figures.maps.GI_COLOURS
            if (cls == c).any()
        ]
        title = i18n.t("maps.gi_layer", lang)
    elif block.kind == "change":
        cls = cells["change_class"].astype(str)
        shown = cls.isin(list(figures.maps.CHANGE_COLOURS)).to_numpy()
        _add_polygons(
            ax,
            cells.geometry.to_numpy()[shown],
            [figures.maps.CHANGE_COLOURS[c] for c in cls[shown]],
        )
        legend = [
            (figures.maps.CHANGE_COLOURS[c], i18n.t(f"hotspots.change.{c}", lang))
            for c in figures.maps.CHANGE_COLOURS
            if (cls == c).any()
        ]
        title = i18n.t("maps.change_layer", lang)
    else:
        areas, result = data["areas"], data["allocation"]
        key = "area" if "area" in areas.columns else "district"
        table = result.table.set_index("area")
        names = areas[key].astype(str)
        keep = names.isin(table.index).to_numpy()
        change = table.loc[names[keep], "change_hours"].to_numpy(dtype=float)
        geoms = areas.geometry.to_numpy()[keep]
        if np.isfinite(change).all() and len(change):
            classes, _ = figures.allocation.change_classes(change)
            _add_polygons(ax, geoms, [figures.allocation.DIVERGING[c] for c in classes], alpha=0.85)
            legend = [
                (figures.allocation.DIVERGING[-1], i18n.t("report.pdf.gain", lang)),
                (
                    figures.allocation.DIVERGING[figures.allocation._MIDDLE],
                    i18n.t("report.pdf.same", lang),
                ),
                (figures.allocation.DIVERGING[0], i18n.t("report.pdf.lose", lang)),
            ]
        else:
            values = table.loc[names[keep], "recommended_hours"].to_numpy(dtype=float)
            _add_polygons(
                ax,
                geoms,
                figures.maps.colour_for(values, figures.maps.class_breaks(values)),
                alpha=0.85,
            )
        title = i18n.t("allocation.col.change_hours", lang)
    if outlines is not None and len(outlines):
        _add_polygons(ax, outlines.geometry.to_numpy(), "none", edge="#333333", linewidth=0.5)
    _legend(ax, legend, title)
    return _png(fig)
