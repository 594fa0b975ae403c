"""The strategic assessment as one document: content, findings, and the offline HTML export.

The last product of the intelligence-led policing cycle brings the steps
together for the people who decide: the data and their quality, what the
analyses found (in generated sentences), where and when crime concentrates, the
ranked priorities with the reasons for each rank, the allocation of officers,
what is still unknown (intelligence gaps and requirements), the control
strategy, and an annex of every method and parameter so that the figures can be
reproduced exactly.

:func:`build_report` computes the content once, in the user's language, as
plain data (:class:`Report`: sections of text, tables, figures and maps).
:func:`to_html` renders it as one self-contained HTML file that opens offline
(plotly.js and Leaflet inlined, no external address); :func:`ilp_core.products.report_pdf.to_pdf`
renders the same content as a PDF with static charts and maps. Neither embeds
per-incident data: the size of a report does not grow with the number of
incidents.

With ``wider_release=True`` the report is prepared for readers outside the
police (:mod:`ilp_core.products.suppression`):

* counts of fewer than ``k`` incidents are shown as ``<k`` and further cells
  ``[c]`` are withheld so that no small count can be worked out from a total;
  stated totals are rounded to the nearest 10;
* rows and map cells with fewer than ``k`` incidents are left out of the
  hot-spot cells, district layers, ranked priorities and allocation;
* personal and sensitive fields are dropped: the intelligence log's entries
  (summaries, notes, areas, grades) and the intelligence held on each problem,
  owners' names, location identifiers (never in a report) and exact coordinates
  (the report maps only aggregates: districts and grid cells of ``k`` or more
  incidents);
* the report says that it did so.

Every report carries the reminder that rankings and allocations are decision
support built on recorded crime, with its known biases, not instructions.
Everything the user typed or uploaded (offence and district names, notes,
requirements, actions) is escaped: it shows as text and never runs as script.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TypeVar, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
from babel.lists import format_list

import ilp_core
from ilp_core import figures, i18n
from ilp_core.analysis import hotspots, near_repeat, temporal
from ilp_core.data import geo
from ilp_core.data.dataset import Dataset
from ilp_core.decide import allocation as alloc_mod
from ilp_core.decide import harm, priorities
from ilp_core.errors import IlpInputError, Message
from ilp_core.figures.allocation import area_label, area_labels
from ilp_core.products import suppression

SectionKey = Literal[
    "data",
    "findings",
    "where",
    "when",
    "near_repeat",
    "priorities",
    "allocation",
    "intelligence",
    "strategy",
    "methods",
]
#: The sections of a report, in their order.
SECTIONS: Final[tuple[str, ...]] = get_args(SectionKey)
#: The session tables a report reads (see :class:`SessionWork`).
PRODUCT_TABLES: Final[tuple[str, ...]] = ("intel_log", "requirements", "strategy", "pestel", "swot")
PILLARS: Final[tuple[str, ...]] = ("prevention", "intelligence", "enforcement", "reassurance")
PESTEL: Final[tuple[str, ...]] = (
    "political",
    "economic",
    "social",
    "technological",
    "environmental",
    "legal",
)
SWOT: Final[tuple[str, ...]] = ("strengths", "weaknesses", "opportunities", "threats")
#: Hot-spot classes counted as "hot" in the findings (95 % confidence or more).
HOT_CLASSES: Final[tuple[str, ...]] = ("hot_99", "hot_95")
#: Rows of the longest tables shown (hot cells).
TOP_ROWS: Final[int] = 10
#: Problems whose scores are decomposed in a table (one column each).
TOP_PROBLEMS: Final[int] = 6
_TEMPLATES: Final[Path] = Path(__file__).resolve().parents[1] / "templates"
T = TypeVar("T")


# --------------------------------------------------------------------------------------
# What the report reads and what it is made of
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SessionWork:
    """What the user produced in the session, for the report to include.

    Every field is optional: a missing result is computed with the defaults of
    its page (near repeat, allocation) or the section says it is not done yet
    (priorities, intelligence, strategy).

    Attributes
    ----------
    ranking, stability
        The priority ranking (``priorities.score``) and its stability analysis.
    assessment
        The priority assessment's settings (harm weights, seeds), for the annex.
    allocation
        The allocation recommendation (``allocation.allocate``).
    allocation_areas
        Polygons of the allocation's areas (``district`` or ``area`` column);
        ``None`` uses the districts.
    allocation_scenario
        The Allocation page's settings (``areas``, ``measure``, ``top_n``...).
    knox, knox_offences
        A near-repeat test and the offence types it was run on.
    products
        Session tables by name (:data:`PRODUCT_TABLES`): ``intel_log``,
        ``requirements``, ``strategy``, ``pestel``, ``swot``.
    privacy_actions
        What was done to personal columns of the upload
        (:attr:`ilp_core.data.privacy.ProtectedFrame.codes`, ``"drop:Name"``...).
    """

    ranking: priorities.Ranking | None = None
    stability: priorities.Stability | None = None
    assessment: priorities.Assessment | None = None
    allocation: alloc_mod.Allocation | None = None
    allocation_areas: gpd.GeoDataFrame | None = None
    allocation_scenario: Mapping[str, Any] = field(default_factory=dict)
    knox: near_repeat.KnoxResult | None = None
    knox_offences: tuple[str, ...] = ()
    products: Mapping[str, pd.DataFrame | None] = field(default_factory=dict)
    privacy_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Text:
    """A paragraph (``style``: ``p``, ``note``, ``bullet`` or ``warning``)."""

    text: str
    style: str = "p"
    block: str = "text"


@dataclass(frozen=True, eq=False)
class Table:
    """A table as shown, with the numbers behind it.

    Attributes
    ----------
    key
        Stable name (``"ranking"``, ``"offence_counts"``...).
    title
        Caption in the report's language.
    header
        Column headers in the report's language.
    kinds
        Per column: ``text``, ``number`` or ``count`` (incidents: subject to
        small-count suppression in a report for wider release).
    rows
        The cells as shown (formatted for the language, suppressed).
    data
        The values behind the rows with stable column names (suppressed cells
        are missing), for tests and downloads.
    note
        A sentence under the table.
    """

    key: str
    title: str
    header: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data: pd.DataFrame
    note: str = ""
    block: str = "table"


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart: ``kind`` names the drawing and ``data`` holds what it draws."""

    key: str
    title: str
    kind: str
    data: Any
    caption: str = ""
    block: str = "figure"


@dataclass(frozen=True, eq=False)
class MapBlock:
    """A map: ``kind`` (``hotspots``, ``change``, ``allocation``) and the layers it draws."""

    key: str
    title: str
    kind: str
    data: Mapping[str, Any]
    caption: str = ""
    block: str = "map"


Block = Text | Table | Figure | MapBlock


@dataclass(frozen=True, eq=False)
class Section:
    """One section: a key of :data:`SECTIONS`, its title and its blocks in order."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, eq=False)
class Report:
    """The strategic assessment's content, ready to render as HTML or PDF.

    Attributes
    ----------
    lang
        Language of every word and number.
    title, subtitle
        Title and the line under it (data and period).
    created
        Date of the report.
    wider_release, k
        Whether small counts are suppressed, and the threshold.
    notices
        The decision-support reminder and the release statement.
    findings
        The key findings, one sentence each.
    sections
        The sections chosen, in order.
    parameters
        Every method and parameter used, as JSON-ready values (the annex).
    fingerprint, version
        The data fingerprint and ``ilp_core.__version__``.
    """

    lang: str
    title: str
    subtitle: str
    created: dt.date
    wider_release: bool
    k: int
    notices: tuple[str, ...]
    findings: tuple[str, ...]
    sections: tuple[Section, ...]
    parameters: Mapping[str, Any]
    fingerprint: str
    version: str

    def section(self, key: str) -> Section | None:
        """The section ``key``, or None when it was not chosen."""
        return next((s for s in self.sections if s.key == key), None)

    def table(self, key: str) -> Table | None:
        """The table ``key`` wherever it is, or None."""
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table) and block.key == key:
                    return block
        return None

    def blocks(self, kind: type[T]) -> list[T]:
        """Every block of a type (``Table``, ``Figure``, ``MapBlock``, ``Text``)."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, kind)]


# --------------------------------------------------------------------------------------
# Formatting in the report's language, with the release policy
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fmt:
    lang: str
    wider: bool
    k: int

    def t(self, key: str, /, **params: Any) -> str:
        return i18n.t(key, self.lang, **params)

    def num(self, value: Any, decimals: int = 0) -> str:
        if value is None or not np.isfinite(float(value)):
            return "–"
        return i18n.number(float(value), self.lang, decimals)

    def pct(self, share: Any, decimals: int = 0) -> str:
        if share is None or not np.isfinite(float(share)):
            return "–"
        return i18n.percent(float(share), self.lang, decimals)

    def signed_pct(self, value_pct: Any, decimals: int = 0) -> str:
        """A change in percent (``+12 %``) from a value already in percent."""
        if value_pct is None or not np.isfinite(float(value_pct)):
            return "–"
        text = i18n.percent(abs(float(value_pct)) / 100.0, self.lang, decimals)
        return ("+" if value_pct > 0 else "−" if value_pct < 0 else "") + text

    def p(self, value: Any) -> str:
        if value is None or not np.isfinite(float(value)):
            return "–"
        if value < 0.001:
            return "< " + i18n.number(0.001, self.lang, 3)
        return i18n.number(float(value), self.lang, 3)

    def p_clause(self, value: Any) -> str:
        """``p = 0.012`` or ``p < 0.001`` for a sentence."""
        text = self.p(value)
        return "p " + text if text.startswith("<") else "p = " + text

    def date(self, value: Any) -> str:
        return i18n.date(value, self.lang) if value is not None else "–"

    def term(self, value: Any) -> str:
        return i18n.term(value, self.lang)

    def names(self, values: Sequence[str]) -> str:
        return format_list([str(v) for v in values], locale=self.lang) if values else "–"

    def count(self, value: Any) -> str:
        """An incident count inside a table whose suppression was decided by the caller."""
        return self.num(value)

    def total(self, value: Any) -> str:
        """A stated total: exact, or rounded (and ``<k`` when small) for wider release."""
        if value is None or not np.isfinite(float(value)):
            return "–"
        if not self.wider or value == 0:
            return i18n.number(float(value), self.lang)
        if 0 < value < self.k:
            return self.small
        return self.t("report.rounded", n=i18n.number(suppression.round_count(value), self.lang))

    @property
    def small(self) -> str:
        return self.t("report.suppressed_primary", k=str(self.k))

    @property
    def withheld(self) -> str:
        return self.t("report.suppressed_secondary")


def _count_column(
    values: Sequence[float] | np.ndarray, labels: Sequence[Any], fmt: _Fmt
) -> tuple[list[str], np.ndarray]:
    """Format a column of incident counts, suppressed (primary and secondary) for wider release.

    Returns the cells and the mask of hidden ones.
    """
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    if not fmt.wider:
        return [fmt.num(x) for x in v], np.zeros(len(v), dtype=bool)
    result = suppression.suppress_counts(v, fmt.k, labels=[str(x) for x in labels])
    cells = [
        fmt.small
        if s == suppression.PRIMARY
        else fmt.withheld
        if s != suppression.SHOWN
        else fmt.num(x)
        for x, s in zip(v, result.state, strict=True)
    ]
    return cells, result.hidden


def _table(
    key: str,
    title: str,
    columns: Sequence[tuple[str, str, Sequence[str]]],
    data: pd.DataFrame,
    note: str = "",
) -> Table:
    header = tuple(c[0] for c in columns)
    kinds = tuple(c[1] for c in columns)
    n = len(data)
    for name, _, cells in columns:
        if len(cells) != n:
            raise ValueError(f"column {name!r} of table {key!r} has {len(cells)} cells, not {n}")
    rows = tuple(tuple(str(c[2][i]) for c in columns) for i in range(n))
    return Table(key, title, header, kinds, rows, data.reset_index(drop=True), note)


# --------------------------------------------------------------------------------------
# Analyses (each failing alone, with the reason shown in its section)
# --------------------------------------------------------------------------------------


@dataclass
class _Analyses:
    data: Dataset
    incidents: pd.DataFrame
    work: SessionWork
    period: tuple[dt.date, dt.date] | None
    offences: tuple[str, ...]
    cell_size: float | None
    fdr: bool
    errors: dict[str, Message] = field(default_factory=dict)
    gi: hotspots.GiStar | None = None
    counts: hotspots.DistrictCounts | None = None
    change: hotspots.HotspotChange | None = None
    rhythm: temporal.HourWeekday | None = None
    monthly: temporal.PeriodCounts | None = None
    trend: temporal.Trend | None = None
    control: temporal.ControlChart | None = None
    comparison: temporal.PeriodComparison | None = None
    knox: near_repeat.KnoxResult | None = None
    knox_offences: tuple[str, ...] = ()
    allocation: alloc_mod.Allocation | None = None
    allocation_areas: gpd.GeoDataFrame | None = None
    allocation_default: bool = False
    cell_district: dict[int, str] = field(default_factory=dict)


def _attempt(a: _Analyses, name: str, func: Callable[..., T], /, *args: Any, **kw: Any) -> T | None:
    try:
        return func(*args, **kw)
    except IlpInputError as error:
        a.errors[name] = error.message
        return None


def _analyse(a: _Analyses, chosen: set[str]) -> None:
    inc, districts = a.incidents, a.data.districts
    spatial = chosen & {"findings", "where", "allocation"}
    if spatial:
        grid = {"cell_size": a.cell_size}
        a.gi = _attempt(a, "gi", hotspots.gi_star, inc, districts, fdr=a.fdr, **grid)
        if districts is not None:
            a.counts = _attempt(a, "counts", hotspots.district_counts, inc, districts)
        if chosen & {"findings", "where"}:
            a.change = _attempt(
                a, "change", hotspots.hotspot_change, inc, districts, fdr=a.fdr, **grid
            )
        if a.gi is not None and districts is not None:
            table = a.gi.table
            names = geo.assign_districts(table["lat"], table["lon"], districts)
            a.cell_district = {
                int(c): str(d)
                for c, d in zip(table["cell_id"], names, strict=True)
                if isinstance(d, str)
            }
    if chosen & {"findings", "when"}:
        a.rhythm = _attempt(a, "rhythm", temporal.hour_weekday, inc)
        a.monthly = _attempt(a, "monthly", temporal.period_counts, inc, "month")
        if a.monthly is not None:
            a.trend = _attempt(a, "trend", temporal.trend, a.monthly)
            a.control = _attempt(a, "control", temporal.control_limits, a.monthly)
        if a.period is not None:
            a.comparison = _attempt(a, "comparison", _comparison, inc, a.period[1])
    if chosen & {"findings", "near_repeat"}:
        a.knox, a.knox_offences = a.work.knox, tuple(a.work.knox_offences)
        if a.knox is None:
            counts = inc["offence"].astype("str").value_counts()
            offences = [str(o) for o in counts.index[counts.to_numpy() > 0]]
            default = [o for o in offences if "burglary" in o.lower()][:1] or offences[:1]
            subset = inc.loc[inc["offence"].astype("str").isin(default).to_numpy()]
            a.knox_offences = tuple(default)
            if len(subset):
                a.knox = _attempt(a, "knox", near_repeat.knox_test, subset)
    if chosen & {"findings", "allocation"}:
        a.allocation = a.work.allocation
        a.allocation_areas = a.work.allocation_areas
        if a.allocation is None:
            a.allocation = _attempt(a, "allocation", _default_allocation, a.data, inc)
            a.allocation_default = a.allocation is not None
        if a.allocation_areas is None and a.data.districts is not None:
            a.allocation_areas = a.data.districts


def _comparison(incidents: pd.DataFrame, last: dt.date) -> temporal.PeriodComparison:
    """The When page's default comparison of two periods.

    This quarter to date against the same days a year earlier; the last 28 days
    against the 28 before when the data hold less than a year.
    """
    try:
        return temporal.compare_periods(incidents, *temporal.quarter_vs_last_year(last))
    except IlpInputError:
        return temporal.compare_periods(incidents, *temporal.recent_vs_previous(last))


def _default_allocation(data: Dataset, incidents: pd.DataFrame) -> alloc_mod.Allocation:
    """The Allocation page's defaults: districts, incidents, proportional, floor 40 h, 8-h steps."""
    if data.districts is None or data.allocation is None:
        raise IlpInputError("report.no_allocation")
    demand = alloc_mod.district_demand(incidents, data.districts)
    current = alloc_mod.check_current(data.allocation, demand["area"].tolist())
    total = float(current.sum())
    step = (
        alloc_mod.DEFAULT_STEP_HOURS
        if math.isclose(total % alloc_mod.DEFAULT_STEP_HOURS, 0.0)
        else None
    )
    return alloc_mod.allocate(
        demand, total, current=current, floor=alloc_mod.DEFAULT_FLOOR_HOURS, step=step
    )


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def build_report(
    data: Dataset,
    incidents: pd.DataFrame | None = None,
    work: SessionWork | None = None,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    sections: Sequence[str] = SECTIONS,
    wider_release: bool = False,
    k: int = suppression.DEFAULT_K,
    period: tuple[dt.date, dt.date] | None = None,
    offences: Sequence[str] = (),
    cell_size: float | None = None,
    fdr: bool = True,
    created: dt.date | None = None,
) -> Report:
    r"""Assemble the strategic assessment: findings, maps, charts, tables and the annex.

    For a manager this is the document to read, file and share: what the data
    say about where, when and what, which problems come first and why, where the
    officers should go, what is still unknown and what will be done about it.
    Analyses that the session has not run are computed with their pages'
    defaults (hot spots, trends, period comparison, near repeat, allocation);
    the user's own ranking, allocation, near-repeat test and product tables are
    used when given in ``work``.

    Parameters
    ----------
    data
        The dataset (its quality report, districts, current allocation and
        fingerprint are reported).
    incidents
        The incidents analysed (the view: filtered by period and offence);
        ``None`` for all of ``data``.
    work
        The session's results (:class:`SessionWork`).
    lang
        Language of the report (``en``, ``ru``, ``fr``, ``es``).
    sections
        The sections to include, any of :data:`SECTIONS` (their order is fixed).
    wider_release
        Prepare the report for readers outside the police: suppress small
        counts, drop personal fields, and say so (see the module notes).
    k
        Threshold of the small-count suppression (default 5).
    period, offences
        The filters that produced ``incidents``, for the report to state.
    cell_size, fdr
        The hot-spot settings (the Where page's): grid cell in metres (``None``:
        automatic) and the false discovery rate correction.
    created
        Date of the report (default: today).

    Returns
    -------
    Report

    Raises
    ------
    IlpInputError
        ``report.bad_language``, ``report.bad_section``, ``report.bad_k``,
        ``report.bad_option``.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> rep = build_report(load_sample(), sections=("data", "findings"), lang="fr")
    >>> rep.table("quality").rows[0]
    ('Lignes lues', '100\u202f000')
    >>> rep.findings[0][:31]
    '75 cellules de grille de 300 m '
    """
    if lang not in i18n.LANGUAGES:
        raise IlpInputError(
            "report.bad_language", value=str(lang), allowed=", ".join(i18n.LANGUAGES)
        )
    chosen = {str(s) for s in sections}
    unknown = sorted(chosen - set(SECTIONS))
    if unknown or not chosen:
        raise IlpInputError(
            "report.bad_section", value=", ".join(unknown) or "–", allowed=", ".join(SECTIONS)
        )
    for name, value in (("wider_release", wider_release), ("fdr", fdr)):
        if not isinstance(value, bool | np.bool_):
            raise IlpInputError("report.bad_option", option=name, value=str(value))
    k = suppression.check_k(k)
    incidents = data.incidents if incidents is None else incidents
    work = work or SessionWork()
    fmt = _Fmt(lang, bool(wider_release), k)
    when = incidents["occurred_at"]
    if period is None and when.notna().any():
        period = (when.min().date(), when.max().date())
    a = _Analyses(data, incidents, work, period, tuple(offences), cell_size, bool(fdr))
    _analyse(a, chosen)
    findings = tuple(_findings(a, fmt)) if "findings" in chosen else ()
    builders: dict[str, Callable[[_Analyses, _Fmt], Section]] = {
        "data": _data_section,
        "findings": lambda _a, f: _findings_section(findings, f),
        "where": _where_section,
        "when": _when_section,
        "near_repeat": _near_repeat_section,
        "priorities": _priorities_section,
        "allocation": _allocation_section,
        "intelligence": _intelligence_section,
        "strategy": _strategy_section,
        "methods": _methods_section,
    }
    built = tuple(builders[key](a, fmt) for key in SECTIONS if key in chosen)
    notices = [fmt.t("report.reminder")]
    notices.append(
        fmt.t("report.wider_statement", k=str(k), base=str(suppression.ROUND_BASE))
        if fmt.wider
        else fmt.t("report.internal_statement")
    )
    name = fmt.t("report.sample_name") if data.is_sample else data.name
    subtitle = fmt.t(
        "report.subtitle",
        name=name,
        start=fmt.date(period[0]) if period else "–",
        end=fmt.date(period[1]) if period else "–",
    )
    return Report(
        lang=lang,
        title=fmt.t("report.title"),
        subtitle=subtitle,
        created=created or dt.date.today(),
        wider_release=bool(wider_release),
        k=k,
        notices=tuple(notices),
        findings=findings,
        sections=built,
        parameters=_parameters(a, fmt),
        fingerprint=data.fingerprint,
        version=ilp_core.__version__,
    )


# --------------------------------------------------------------------------------------
# Key findings
# --------------------------------------------------------------------------------------


def _findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    out: list[str] = []
    out += _hotspot_findings(a, fmt)
    out += _trend_findings(a, fmt)
    out += _knox_findings(a, fmt)
    out += _priority_findings(a, fmt)
    out += _allocation_findings(a, fmt)
    out += _quality_findings(a, fmt)
    return out


def _hot_cells(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    """Gi* cells of the area, without the small ones for wider release."""
    if a.gi is None:
        return pd.DataFrame()
    table = a.gi.table
    if fmt.wider:
        table = table.loc[~suppression.small_rows(table["count"], fmt.k)]
    return table


def _hotspot_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    out: list[str] = []
    if a.gi is not None and a.gi.grid is not None:
        table = _hot_cells(a, fmt)
        hot = table.loc[table["gi_class"].astype(str).isin(HOT_CLASSES)]
        mapped = float(a.gi.table["count"].sum())
        if len(hot):
            out.append(
                fmt.t(
                    "report.finding.hotspots",
                    n=len(hot),
                    size=fmt.num(a.gi.grid.cell_size),
                    area=fmt.pct(len(hot) / max(1, a.gi.n_units), 1),
                    share=fmt.pct(float(hot["count"].sum()) / mapped if mapped else math.nan, 0),
                )
            )
            names = _top_districts(a, hot["cell_id"], fmt)
            if names:
                out.append(fmt.t("report.finding.hotspot_districts", districts=fmt.names(names)))
        else:
            out.append(fmt.t("report.finding.no_hotspots"))
    if a.change is not None:
        table = a.change.table
        if fmt.wider:
            table = table.loc[~suppression.small_rows(table["count"], fmt.k)]
        classes = table["change_class"].astype(str).value_counts()
        out.append(
            fmt.t(
                "report.finding.change",
                persistent=int(classes.get("persistent", 0)),
                emerging=int(classes.get("emerging", 0)),
                former=int(classes.get("former", 0)),
                periods=a.change.n_periods,
                days=a.change.period_days,
            )
        )
        emerging = table.loc[table["change_class"].astype(str) == "emerging", "cell_id"]
        names = _top_districts(a, emerging, fmt)
        if names:
            out.append(fmt.t("report.finding.emerging_districts", districts=fmt.names(names)))
    return out


def _top_districts(a: _Analyses, cell_ids: pd.Series, fmt: _Fmt, top: int = 3) -> list[str]:
    names = [a.cell_district.get(int(c)) for c in cell_ids]
    counted = pd.Series([n for n in names if n]).value_counts()
    return [fmt.term(n) for n in counted.index[:top]]


def _trend_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    out: list[str] = []
    if a.trend is not None:
        t = a.trend.table
        if fmt.wider:
            t = t.loc[~suppression.small_rows(t["total"], fmt.k)]
        moving = t.loc[t["direction"].isin(["rising", "falling"])]
        moving = moving.reindex(
            moving["slope_pct_per_year"].abs().sort_values(ascending=False).index
        )
        for row in moving.head(6).itertuples():
            out.append(
                fmt.t(
                    f"report.finding.{row.direction}",
                    offence=fmt.term(row.offence),
                    slope=fmt.pct(abs(float(row.slope_pct_per_year)) / 100.0),
                    p=fmt.p_clause(row.p_value),
                    months=int(row.n_periods),
                )
            )
        if moving.empty:
            out.append(
                fmt.t(
                    "report.finding.no_trend",
                    months=int(t["n_periods"].max()) if len(t) else 0,
                    alpha=fmt.pct(a.trend.alpha),
                )
            )
    if a.comparison is not None:
        c = a.comparison
        t = c.table
        if fmt.wider:  # the rows the comparison table hides (primary or secondary) stay hidden
            t = t.loc[~_comparison_hidden(c, fmt)]
        changed = t.loc[t["verdict"].isin(["increase", "decrease"])].sort_values("p_fdr")
        for row in changed.head(6).itertuples():
            out.append(
                fmt.t(
                    f"report.finding.{row.verdict}",
                    name=fmt.term(getattr(row, c.by)),
                    a=fmt.num(row.count_a),
                    b=fmt.num(row.count_b),
                    change=fmt.signed_pct(row.pct_change),
                    start_a=fmt.date(c.period_a[0]),
                    end_a=fmt.date(c.period_a[1]),
                    start_b=fmt.date(c.period_b[0]),
                    end_b=fmt.date(c.period_b[1]),
                    p=fmt.p_clause(row.p_fdr),
                )
            )
    return out


def _comparison_hidden(c: temporal.PeriodComparison, fmt: _Fmt) -> np.ndarray:
    """Rows of a period comparison whose counts a report for wider release withholds."""
    names = c.table[c.by].astype(str).tolist()
    hidden = np.zeros(len(names), dtype=bool)
    for column in ("count_a", "count_b"):
        hidden |= _count_column(c.table[column].to_numpy(dtype=float), names, fmt)[1]
    return hidden


def _knox_cells(knox: near_repeat.KnoxResult) -> pd.DataFrame:
    """The Knox cells that are significant excesses, with their band edges."""
    t = knox.table
    finite = np.isfinite(t["distance_to_m"].to_numpy(dtype=float)) & np.isfinite(
        t["days_to"].to_numpy(dtype=float)
    )
    return t.loc[finite & (t["p_value"] <= 0.05).to_numpy() & (t["knox_ratio"] > 1).to_numpy()]


def _knox_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    if a.knox is None:
        return []
    knox = a.knox
    offence = fmt.names([fmt.term(o) for o in a.knox_offences]) if a.knox_offences else "–"
    cells = _knox_cells(knox)
    out: list[str] = []
    same = cells.loc[cells["distance_to_m"] == 0]
    if len(same):
        first = same.sort_values("days_from").iloc[0]
        out.append(
            fmt.t(
                "report.finding.repeat",
                offence=offence,
                days=fmt.num(first["days_to"]),
                ratio=fmt.num(first["knox_ratio"], 1),
                p=fmt.p_clause(first["p_value"]),
            )
        )
    near = cells.loc[cells["distance_to_m"] > 0]
    first_days = float(knox.day_edges[1]) if len(knox.day_edges) > 1 else math.nan
    band = near.loc[near["days_to"] == first_days]
    if len(band):
        nearest = band.sort_values("distance_from_m").iloc[0]
        out.append(
            fmt.t(
                "report.finding.near_repeat",
                offence=offence,
                metres=fmt.num(band["distance_to_m"].max()),
                days=fmt.num(first_days),
                ratio=fmt.num(nearest["knox_ratio"], 1),
                p=fmt.p_clause(nearest["p_value"]),
                nearest=fmt.num(nearest["distance_to_m"]),
            )
        )
    if not out:
        out.append(fmt.t("report.finding.no_near_repeat", offence=offence))
    return out


def _shown_ranking(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    """The ranked problems as published: without those under ``k`` incidents for wider release."""
    ranking = a.work.ranking
    if ranking is None:
        return pd.DataFrame()
    table = ranking.table
    if fmt.wider and "volume" in table.columns:
        table = table.loc[~suppression.small_rows(table["volume"], fmt.k)]
    return table


def _priority_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    ranking = a.work.ranking
    if ranking is None:
        return []
    table = _shown_ranking(a, fmt)
    labels = priorities.problem_labels(table, fmt.lang).tolist()
    out = [
        fmt.t(
            "report.finding.priorities",
            problems=fmt.names(labels[:3]),
            method=_method_label(ranking.scheme, fmt),
        )
    ]
    stability = a.work.stability
    if stability is not None:
        st = stability.table
        fragile = st.loc[st["fragile"].astype(bool) & st["problem"].isin(table["problem"])]
        fragile = fragile.loc[fragile["rank"] <= stability.top_k + 2]
        if len(fragile):
            names = priorities.problem_labels(
                table.set_index("problem").loc[fragile["problem"]].reset_index(), fmt.lang
            ).tolist()
            out.append(
                fmt.t(
                    "report.finding.fragile",
                    problems=fmt.names(names),
                    k=stability.top_k,
                    share=fmt.pct(stability.robust_share),
                )
            )
    return out


def _method_label(scheme: priorities.Scheme, fmt: _Fmt) -> str:
    if scheme.preset:
        return priorities.preset_label(scheme.preset, fmt.lang)
    key = f"priorities.method.{scheme.method}"
    return fmt.t(key) if i18n.has(key, fmt.lang) else scheme.method


def _shown_allocation(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    if a.allocation is None:
        return pd.DataFrame()
    table = a.allocation.table
    if fmt.wider and "incidents" in table.columns:
        table = table.loc[~suppression.small_rows(table["incidents"].fillna(0), fmt.k)]
    return table


def _allocation_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    if a.allocation is None:
        return []

    table = _shown_allocation(a, fmt)
    summary = a.allocation.summary
    method = fmt.t(f"allocation.method.{a.allocation.method}")
    change = table["change_hours"].to_numpy(dtype=float)
    if len(table) and np.isfinite(change).all() and change.max() > 0 > change.min():
        gain = table.iloc[int(np.argmax(change))]
        lose = table.iloc[int(np.argmin(change))]
        return [
            fmt.t(
                "report.finding.allocation",
                method=method,
                moved=fmt.num(summary.get("hours_moved")),
                total=fmt.num(summary.get("total_hours")),
                gain=area_label(str(gain["area"]), fmt.lang),
                gain_hours=fmt.num(gain["change_hours"]),
                lose=area_label(str(lose["area"]), fmt.lang),
                lose_hours=fmt.num(-float(lose["change_hours"])),
            )
        ]
    if len(table) and np.isfinite(change).all():
        return [
            fmt.t(
                "report.finding.allocation_moved",
                method=method,
                moved=fmt.num(summary.get("hours_moved")),
                total=fmt.num(summary.get("total_hours")),
            )
        ]
    return [
        fmt.t(
            "report.finding.allocation_new",
            method=method,
            total=fmt.num(summary.get("total_hours")),
            areas=len(table),
        )
    ]


def _quality_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    n = len(a.incidents)
    if n == 0:
        return [fmt.t("report.finding.empty")]
    lat = a.incidents["lat"].to_numpy(dtype=float)
    share = float(np.isfinite(lat).mean())
    missing = int((~np.isfinite(lat)).sum())
    if share >= 0.999 or (fmt.wider and missing < fmt.k):  # a share would give a small count
        return []
    return [fmt.t("report.finding.geolocated", share=fmt.pct(share, 1))]


def _findings_section(findings: tuple[str, ...], fmt: _Fmt) -> Section:
    blocks: list[Block] = [Text(f, "bullet") for f in findings]
    if not findings:
        blocks.append(Text(fmt.t("report.no_findings"), "note"))
    blocks.append(Text(fmt.t("report.findings_caption"), "note"))
    return Section("findings", fmt.t("report.section.findings"), tuple(blocks))


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def _error_text(a: _Analyses, name: str, fmt: _Fmt) -> list[Block]:
    message = a.errors.get(name)
    if message is None:
        return []
    return [Text(fmt.t("report.not_available", reason=message.render(fmt.lang)), "warning")]


def _data_section(a: _Analyses, fmt: _Fmt) -> Section:
    data = a.data
    blocks: list[Block] = []
    name = fmt.t("report.sample_name") if data.is_sample else data.name
    blocks.append(Text(fmt.t("report.data.dataset", name=name, fingerprint=data.fingerprint)))
    if a.period is not None:
        blocks.append(
            Text(
                fmt.t("report.data.period", start=fmt.date(a.period[0]), end=fmt.date(a.period[1]))
            )
        )
    chosen = [fmt.term(o) for o in a.offences]
    blocks.append(
        Text(
            fmt.t("report.data.offences", offences=fmt.names(chosen))
            if chosen
            else fmt.t("report.data.all_offences")
        )
    )
    blocks.append(Text(fmt.t("report.data.in_view", n=fmt.total(len(a.incidents)))))
    if a.work.privacy_actions:
        from ilp_core.data import privacy

        blocks.append(Text(fmt.t("report.data.privacy")))
        for code in a.work.privacy_actions:
            try:
                blocks.append(Text(privacy.describe_action(code, fmt.lang), "bullet"))
            except IlpInputError as error:
                blocks.append(Text(error.render(fmt.lang), "warning"))
    report = data.report
    if report is None:
        blocks.append(Text(fmt.t("report.data.no_quality"), "note"))
    else:
        metrics = [
            ("rows_read", report.rows_read),
            ("accepted", report.accepted),
            ("rejected", report.rejected),
            ("geolocated", report.geolocated),
            ("district_only", report.district_only),
            ("no_location", report.no_location),
            ("duplicates_id", report.duplicates_id),
            ("duplicates_event", report.duplicates_event),
        ]
        frame = pd.DataFrame(
            {
                "measure": [m for m, _ in metrics],
                "value": [
                    float(v) if not fmt.wider or not 0 < v < fmt.k else math.nan for _, v in metrics
                ],
            }
        )
        if fmt.wider:
            frame["value"] = [
                float(suppression.round_count(v)) if np.isfinite(v) else v for v in frame["value"]
            ]
        blocks.append(
            _table(
                "quality",
                fmt.t("report.data.quality_title"),
                [
                    (
                        fmt.t("report.col.measure"),
                        "text",
                        [fmt.t(f"report.quality.{m}") for m, _ in metrics],
                    ),
                    (fmt.t("report.col.value"), "count", [fmt.total(v) for _, v in metrics]),
                ],
                frame,
                fmt.t("report.data.quality_note_rounded") if fmt.wider else "",
            )
        )
        if report.period:
            blocks.append(
                Text(
                    fmt.t(
                        "report.data.file_period",
                        start=fmt.date(report.period[0]),
                        end=fmt.date(report.period[1]),
                    )
                )
            )
        for message in (*report.readings, *report.issues):
            blocks.append(Text(message.render(fmt.lang), "bullet"))
        rejects = report.reject_counts
        if len(rejects):
            from ilp_core.data.ingest import reject_reason

            cells, hidden = _count_column(rejects.to_numpy(), list(rejects.index), fmt)
            frame = pd.DataFrame(
                {"reason": [str(r) for r in rejects.index], "rows": rejects.to_numpy(dtype=float)}
            )
            frame.loc[hidden, "rows"] = np.nan
            blocks.append(
                _table(
                    "rejects",
                    fmt.t("report.data.rejects_title"),
                    [
                        (
                            fmt.t("report.col.reason"),
                            "text",
                            [reject_reason(str(r)).render(fmt.lang) for r in rejects.index],
                        ),
                        (fmt.t("report.col.rows"), "count", cells),
                    ],
                    frame,
                )
            )
    counts = a.incidents["offence"].astype("str").value_counts()
    counts = counts[counts > 0]
    cells, hidden = _count_column(counts.to_numpy(), list(counts.index), fmt)
    total = float(counts.sum())
    shares = [
        "–" if h else fmt.pct(v / total if total else math.nan, 1)
        for v, h in zip(counts.to_numpy(), hidden, strict=True)
    ]
    frame = pd.DataFrame(
        {"offence": counts.index.astype(str), "incidents": counts.to_numpy(dtype=float)}
    )
    frame.loc[hidden, "incidents"] = np.nan
    blocks.append(
        _table(
            "offence_counts",
            fmt.t("report.data.offences_title"),
            [
                (fmt.t("report.col.offence"), "text", [fmt.term(o) for o in counts.index]),
                (fmt.t("report.col.incidents"), "count", cells),
                (fmt.t("report.col.share"), "number", shares),
            ],
            frame,
            _suppression_note(hidden, fmt),
        )
    )
    return Section("data", fmt.t("report.section.data"), tuple(blocks))


def _suppression_note(hidden: np.ndarray, fmt: _Fmt) -> str:
    return fmt.t("report.suppressed_note", k=str(fmt.k)) if fmt.wider and hidden.any() else ""


def _where_section(a: _Analyses, fmt: _Fmt) -> Section:
    blocks: list[Block] = [Text(fmt.t("report.where.intro"))]
    blocks += _error_text(a, "gi", fmt)
    gi = a.gi
    if gi is not None:
        cells = _hot_cells(a, fmt)
        gi_shown = dataclasses.replace(gi, table=cells)
        districts = None
        if a.counts is not None and isinstance(a.counts.table, gpd.GeoDataFrame):
            districts = a.counts.table
            if fmt.wider:
                keep = ~_district_hidden(districts, fmt)
                districts = districts.loc[keep]
        blocks.append(
            MapBlock(
                "hotspot_map",
                fmt.t("report.map.hotspots"),
                "hotspots",
                {"districts": districts, "gi": gi_shown, "outlines": a.data.districts},
                fmt.t(
                    "report.map.hotspots_caption",
                    size=fmt.num(gi.grid.cell_size) if gi.grid else "–",
                ),
            )
        )
        blocks.append(_gi_class_table(gi, fmt))
        blocks.append(_hot_cell_table(a, cells, fmt))
    if a.change is not None:
        table = a.change.table
        if fmt.wider:
            table = table.loc[~suppression.small_rows(table["count"], fmt.k)]
        change_shown = dataclasses.replace(a.change, table=table)
        th = a.change.thresholds
        blocks.append(
            MapBlock(
                "change_map",
                fmt.t("report.map.change"),
                "change",
                {"change": change_shown, "outlines": a.data.districts},
                fmt.t(
                    "report.map.change_caption",
                    n=a.change.n_periods,
                    days=a.change.period_days,
                    recent=th.recent_periods,
                ),
            )
        )
        blocks.append(_change_table(a.change, fmt))
    else:
        blocks += _error_text(a, "change", fmt)
    if a.counts is not None:
        blocks.append(_district_table(a.counts, fmt))
    blocks.append(Text(fmt.t("report.where.caption"), "note"))
    return Section("where", fmt.t("report.section.where"), tuple(blocks))


def _district_hidden(table: pd.DataFrame, fmt: _Fmt) -> np.ndarray:
    if not fmt.wider:
        return np.zeros(len(table), dtype=bool)
    return suppression.suppress_counts(
        table["count"].to_numpy(dtype=float), fmt.k, labels=table["district"].astype(str).tolist()
    ).hidden


def _gi_class_table(gi: hotspots.GiStar, fmt: _Fmt) -> Table:
    t = gi.table
    classes = list(reversed(hotspots.GI_CLASSES))
    cls = t["gi_class"].astype(str)
    n_cells = [int((cls == c).sum()) for c in classes]
    incidents = [float(t.loc[(cls == c).to_numpy(), "count"].sum()) for c in classes]
    keep = [i for i, n in enumerate(n_cells) if n > 0]
    classes = [classes[i] for i in keep]
    n_cells = [n_cells[i] for i in keep]
    incidents = [incidents[i] for i in keep]
    cells, hidden = _count_column(incidents, classes, fmt)
    frame = pd.DataFrame({"gi_class": classes, "cells": n_cells, "incidents": incidents})
    frame.loc[hidden, "incidents"] = np.nan
    return _table(
        "hotspot_classes",
        fmt.t("report.where.classes_title"),
        [
            (fmt.t("report.col.class"), "text", [fmt.t(f"hotspots.class.{c}") for c in classes]),
            (fmt.t("report.col.cells"), "number", [fmt.num(n) for n in n_cells]),
            (fmt.t("report.col.incidents"), "count", cells),
        ],
        frame,
        _suppression_note(hidden, fmt),
    )


def _hot_cell_table(a: _Analyses, cells: pd.DataFrame, fmt: _Fmt) -> Table:
    hot = cells.loc[cells["gi_class"].astype(str).str.startswith("hot_")]
    hot = hot.sort_values(["gi_z", "cell_id"], ascending=[False, True]).head(TOP_ROWS)
    districts = [a.cell_district.get(int(c), "") for c in hot["cell_id"]]
    frame = pd.DataFrame(
        {
            "cell_id": hot["cell_id"].to_numpy(dtype="int64"),
            "district": districts,
            "count": hot["count"].to_numpy(dtype=float),
            "gi_z": hot["gi_z"].to_numpy(dtype=float),
            "gi_class": hot["gi_class"].astype(str).to_numpy(),
        }
    )
    return _table(
        "hotspot_cells",
        fmt.t("report.where.cells_title", n=TOP_ROWS),
        [
            (fmt.t("report.col.cell"), "text", [str(c) for c in frame["cell_id"]]),
            (fmt.t("report.col.district"), "text", [fmt.term(d) if d else "–" for d in districts]),
            (fmt.t("report.col.incidents"), "count", [fmt.num(v) for v in frame["count"]]),
            ("z", "number", [fmt.num(v, 2) for v in frame["gi_z"]]),
            (
                fmt.t("report.col.class"),
                "text",
                [fmt.t(f"hotspots.class.{c}") for c in frame["gi_class"]],
            ),
        ],
        frame,
        fmt.t("report.where.cells_note_wider", k=str(fmt.k)) if fmt.wider else "",
    )


def _change_table(change: hotspots.HotspotChange, fmt: _Fmt) -> Table:
    t = change.table
    cls = t["change_class"].astype(str)
    classes = [c for c in hotspots.CHANGE_CLASSES if (cls == c).any()]
    n_cells = [int((cls == c).sum()) for c in classes]
    incidents = [float(t.loc[(cls == c).to_numpy(), "count"].sum()) for c in classes]
    cells, hidden = _count_column(incidents, classes, fmt)
    frame = pd.DataFrame({"change_class": classes, "cells": n_cells, "incidents": incidents})
    frame.loc[hidden, "incidents"] = np.nan
    return _table(
        "change_classes",
        fmt.t("report.where.change_title"),
        [
            (fmt.t("report.col.class"), "text", [fmt.t(f"hotspots.change.{c}") for c in classes]),
            (fmt.t("report.col.cells"), "number", [fmt.num(n) for n in n_cells]),
            (fmt.t("report.col.incidents"), "count", cells),
        ],
        frame,
        _suppression_note(hidden, fmt),
    )


def _district_table(counts: hotspots.DistrictCounts, fmt: _Fmt) -> Table:
    t = counts.table
    names = t["district"].astype(str).tolist()
    cells, hidden = _count_column(t["count"].to_numpy(dtype=float), names, fmt)
    rate = t["rate_per_1000"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "district": names,
            "population": t["population"].to_numpy(dtype=float),
            "count": t["count"].to_numpy(dtype=float),
            "rate_per_1000": rate,
        }
    )
    frame.loc[hidden, ["count", "rate_per_1000"]] = np.nan
    return _table(
        "districts",
        fmt.t("report.where.districts_title"),
        [
            (fmt.t("report.col.district"), "text", [fmt.term(d) for d in names]),
            (fmt.t("report.col.population"), "number", [fmt.num(v) for v in frame["population"]]),
            (fmt.t("report.col.incidents"), "count", cells),
            (fmt.t("report.col.rate"), "number", [fmt.num(v, 1) for v in frame["rate_per_1000"]]),
        ],
        frame,
        _suppression_note(hidden, fmt),
    )


def _when_section(a: _Analyses, fmt: _Fmt) -> Section:
    blocks: list[Block] = [Text(fmt.t("report.when.intro"))]
    if a.rhythm is not None:
        matrix = a.rhythm.matrix()
        if fmt.wider:
            values = matrix.to_numpy(dtype=float)
            matrix = matrix.mask((values > 0) & (values < fmt.k))
        blocks.append(
            Figure(
                "hour_weekday",
                fmt.t("report.when.rhythm_title"),
                "hour_weekday",
                {"matrix": matrix, "table": a.rhythm.table},
                fmt.t("report.when.rhythm_caption", n=fmt.total(a.rhythm.n_used)),
            )
        )
    else:
        blocks += _error_text(a, "rhythm", fmt)
    if a.trend is not None and a.control is not None:
        t = a.trend.table
        moving = t.loc[t["direction"].isin(["rising", "falling"])]
        moving = moving.reindex(
            moving["slope_pct_per_year"].abs().sort_values(ascending=False).index
        )
        for offence in moving["offence"].head(4):
            series = a.control.table.loc[a.control.table["offence"] == offence, "count"]
            if fmt.wider and bool(suppression.small_rows(series, fmt.k).any()):
                continue
            blocks.append(
                Figure(
                    f"series_{i18n.slug(offence) or 'offence'}",
                    fmt.t("report.when.series_title", offence=fmt.term(offence)),
                    "series",
                    {"control": a.control, "trend": a.trend, "offence": str(offence)},
                    fmt.t("report.when.series_caption"),
                )
            )
        blocks.append(_trend_table(a.trend, fmt))
    else:
        blocks += _error_text(a, "monthly", fmt) + _error_text(a, "trend", fmt)
    if a.comparison is not None:
        shown, table = _comparison_table(a.comparison, fmt)
        blocks.append(
            Figure(
                "comparison",
                fmt.t("report.when.comparison_title"),
                "comparison",
                {"comparison": shown},
                fmt.t("report.when.comparison_caption", alpha=fmt.pct(a.comparison.alpha)),
            )
        )
        blocks.append(table)
    else:
        blocks += _error_text(a, "comparison", fmt)
    return Section("when", fmt.t("report.section.when"), tuple(blocks))


def _trend_table(trend: temporal.Trend, fmt: _Fmt) -> Table:
    t = trend.table
    names = t["offence"].astype(str).tolist()
    cells, hidden = _count_column(t["total"].to_numpy(dtype=float), names, fmt)
    frame = pd.DataFrame(
        {
            "offence": names,
            "total": t["total"].to_numpy(dtype=float),
            "pct_change": t["pct_change"].to_numpy(dtype=float),
            "slope_pct_per_year": t["slope_pct_per_year"].to_numpy(dtype=float),
            "p_value": t["p_value"].to_numpy(dtype=float),
            "direction": t["direction"].astype(str).to_numpy(),
        }
    )
    frame.loc[hidden, ["total", "pct_change", "slope_pct_per_year", "p_value"]] = np.nan
    return _table(
        "trends",
        fmt.t("report.when.trend_title", months=int(t["n_periods"].max()) if len(t) else 0),
        [
            (fmt.t("temporal.column.offence"), "text", [fmt.term(o) for o in names]),
            (fmt.t("temporal.column.total"), "count", cells),
            (
                fmt.t("temporal.column.pct_change"),
                "number",
                [fmt.signed_pct(v) for v in frame["pct_change"]],
            ),
            (
                fmt.t("temporal.column.slope_pct_per_year"),
                "number",
                [fmt.signed_pct(v) for v in frame["slope_pct_per_year"]],
            ),
            (fmt.t("temporal.column.p_value"), "number", [fmt.p(v) for v in frame["p_value"]]),
            (
                fmt.t("temporal.column.direction"),
                "text",
                [fmt.t(f"temporal.direction.{d}") for d in frame["direction"]],
            ),
        ],
        frame,
        " ".join(
            s
            for s in (
                fmt.t("report.when.trend_note", alpha=fmt.pct(trend.alpha)),
                _suppression_note(hidden, fmt),
            )
            if s
        ),
    )


def _comparison_table(
    c: temporal.PeriodComparison, fmt: _Fmt
) -> tuple[temporal.PeriodComparison, Table]:
    t = c.table
    names = t[c.by].astype(str).tolist()
    cells_a, hidden_a = _count_column(t["count_a"].to_numpy(dtype=float), names, fmt)
    cells_b, hidden_b = _count_column(t["count_b"].to_numpy(dtype=float), names, fmt)
    hidden = hidden_a | hidden_b
    frame = pd.DataFrame(
        {
            c.by: names,
            "count_a": t["count_a"].to_numpy(dtype=float),
            "count_b": t["count_b"].to_numpy(dtype=float),
            "pct_change": t["pct_change"].to_numpy(dtype=float),
            "p_fdr": t["p_fdr"].to_numpy(dtype=float),
            "verdict": t["verdict"].astype(str).to_numpy(),
        }
    )
    frame.loc[hidden_a, "count_a"] = np.nan
    frame.loc[hidden_b, "count_b"] = np.nan
    frame.loc[hidden, ["pct_change", "p_fdr"]] = np.nan
    (a0, a1), (b0, b1) = c.period_a, c.period_b
    table = _table(
        "comparison",
        fmt.t(
            "report.when.comparison_table",
            start_a=fmt.date(a0),
            end_a=fmt.date(a1),
            start_b=fmt.date(b0),
            end_b=fmt.date(b1),
        ),
        [
            (fmt.t(f"temporal.column.{c.by}"), "text", [fmt.term(n) for n in names]),
            (fmt.t("temporal.column.count_a"), "count", cells_a),
            (fmt.t("temporal.column.count_b"), "count", cells_b),
            (
                fmt.t("temporal.column.pct_change"),
                "number",
                [fmt.signed_pct(v) for v in frame["pct_change"]],
            ),
            (fmt.t("temporal.column.p_fdr"), "number", [fmt.p(v) for v in frame["p_fdr"]]),
            (
                fmt.t("report.col.verdict"),
                "text",
                [
                    "–" if h else fmt.t(f"temporal.verdict.{v}")
                    for v, h in zip(frame["verdict"], hidden, strict=True)
                ],
            ),
        ],
        frame,
        _suppression_note(hidden, fmt),
    )
    shown = (
        dataclasses.replace(c, table=t.loc[~hidden].reset_index(drop=True)) if hidden.any() else c
    )
    return shown, table


def _near_repeat_section(a: _Analyses, fmt: _Fmt) -> Section:
    blocks: list[Block] = [Text(fmt.t("report.near_repeat.intro"))]
    knox = a.knox
    if knox is None:
        blocks += _error_text(a, "knox", fmt) or [Text(fmt.t("report.near_repeat.none"), "note")]
        return Section("near_repeat", fmt.t("report.section.near_repeat"), tuple(blocks))
    offences = fmt.names([fmt.term(o) for o in a.knox_offences]) if a.knox_offences else "–"
    blocks.append(
        Text(
            fmt.t(
                "report.near_repeat.used",
                offences=offences,
                n=fmt.total(knox.n_events),
                start=fmt.date(knox.start),
                end=fmt.date(knox.end),
                permutations=knox.permutations,
                seed=str(knox.seed),
                metric=fmt.t(f"near_repeat.metric.{knox.metric}"),
            )
        )
    )
    blocks.append(
        Figure(
            "knox",
            fmt.t("report.near_repeat.chart_title"),
            "knox",
            {"knox": knox},
            fmt.t("near_repeat.caption") if i18n.has("near_repeat.caption") else "",
        )
    )
    frame = knox.table[["spatial_band", "temporal_band", "knox_ratio", "p_value"]].copy()
    ratio, p = knox.ratio, knox.p_value
    columns: list[tuple[str, str, Sequence[str]]] = [
        (fmt.t("report.col.distance"), "text", [_band(v, fmt) for v in ratio.index])
    ]
    for col in ratio.columns:
        columns.append(
            (
                fmt.t("report.col.days_band", band=_band(col, fmt)),
                "number",
                [
                    fmt.t("report.knox_cell", ratio=fmt.num(r, 2), p=fmt.num(q, 2))
                    + ("*" if q <= 0.05 and r > 1 else "")
                    for r, q in zip(ratio[col], p[col], strict=True)
                ],
            )
        )
    table = _table(
        "knox", fmt.t("report.near_repeat.table_title"), columns, ratio.reset_index(drop=True),
        fmt.t("report.near_repeat.table_note"),
    )  # fmt: skip
    blocks.append(dataclasses.replace(table, data=frame.reset_index(drop=True)))
    return Section("near_repeat", fmt.t("report.section.near_repeat"), tuple(blocks))


def _band(label: Any, fmt: _Fmt) -> str:
    text = str(label)
    if text == "0":
        return fmt.t("report.same_location")
    return text.replace("inf", "∞")


def _priorities_section(a: _Analyses, fmt: _Fmt) -> Section:
    ranking = a.work.ranking
    title = fmt.t("report.section.priorities")
    if ranking is None:
        return Section("priorities", title, (Text(fmt.t("report.not_yet.priorities"), "note"),))
    scheme = ranking.scheme
    blocks: list[Block] = [
        Text(fmt.t("report.priorities.intro", method=_method_label(scheme, fmt))),
    ]
    for message in ranking.warnings:
        blocks.append(Text(priorities.message_text(message, fmt.lang), "warning"))
    t = _shown_ranking(a, fmt)
    dropped = len(ranking.table) - len(t)
    labels = priorities.problem_labels(t, fmt.lang).tolist()
    stability = a.work.stability
    by_offence = bool((t["kind"].astype(str) == "offence").all()) if "kind" in t.columns else False
    volume = t["volume"].to_numpy(dtype=float) if "volume" in t.columns else np.full(len(t), np.nan)
    harm_days = t["harm"].to_numpy(dtype=float) if "harm" in t.columns else np.full(len(t), np.nan)
    frame = pd.DataFrame(
        {
            "rank": t["rank"].to_numpy(dtype="int64"),
            "problem": t["problem"].astype(str).to_numpy(),
            "tier": t["tier"].astype(str).to_numpy(),
            "score": t["score"].to_numpy(dtype=float),
            "confidence": t["confidence"].astype(str).to_numpy(),
            "volume": volume,
            "harm": harm_days,
        }
    )
    if fmt.wider:
        if by_offence:
            full = ranking.table
            result = suppression.suppress_counts(
                full["volume"].to_numpy(dtype=float),
                fmt.k,
                labels=full["problem"].astype(str).tolist(),
            )
            hidden_all = pd.Series(result.hidden, index=full["problem"].astype(str).to_numpy())
            hidden = hidden_all.reindex(frame["problem"]).fillna(False).to_numpy(dtype=bool)
        else:
            hidden = np.ones(len(frame), dtype=bool)
        frame.loc[hidden, ["volume", "harm"]] = np.nan
        volume_cells = [
            fmt.withheld if h else fmt.num(v) for v, h in zip(volume, hidden, strict=True)
        ]
    else:
        hidden = np.zeros(len(frame), dtype=bool)
        volume_cells = [fmt.num(v) for v in volume]
    columns: list[tuple[str, str, Sequence[str]]] = [
        (fmt.t("priorities.col.rank"), "number", [str(r) for r in frame["rank"]]),
        (fmt.t("priorities.col.problem"), "text", labels),
        (
            fmt.t("priorities.col.tier"),
            "text",
            [fmt.t(f"priorities.tier.{v}") for v in frame["tier"]],
        ),
        (fmt.t("priorities.col.score"), "number", [fmt.num(v, 2) for v in frame["score"]]),
        (
            fmt.t("priorities.col.confidence"),
            "text",
            [fmt.t(f"priorities.confidence.{v}") for v in frame["confidence"]],
        ),
        (fmt.t("priorities.col.volume"), "count", volume_cells),
        (
            fmt.t("priorities.col.harm"),
            "number",
            ["–" if h else fmt.num(v, 0) for v, h in zip(harm_days, hidden, strict=True)],
        ),
    ]
    if stability is not None:
        st = stability.table.set_index("problem").reindex(frame["problem"])
        frame["p_top_k"] = st["p_top_k"].to_numpy(dtype=float)
        frame["fragile"] = st["fragile"].fillna(False).to_numpy(dtype=bool)
        columns.append(
            (
                fmt.t("priorities.col.p_top_k", k=stability.top_k),
                "number",
                [fmt.pct(v) for v in frame["p_top_k"]],
            )
        )
        columns.append(
            (
                fmt.t("priorities.col.fragile"),
                "text",
                [fmt.t("priorities.yes" if f else "priorities.no") for f in frame["fragile"]],
            )
        )
    note = fmt.t("report.priorities.dropped", n=dropped, k=str(fmt.k)) if dropped else ""
    blocks.append(_table("ranking", fmt.t("report.priorities.table_title"), columns, frame, note))
    shown = dataclasses.replace(ranking, table=t.reset_index(drop=True))
    blocks.append(
        Figure(
            "contributions",
            fmt.t("report.priorities.chart_title"),
            "contributions",
            {"ranking": shown},
            fmt.t("report.priorities.chart_caption"),
        )
    )
    blocks.append(_decomposition_table(shown, fmt))
    if stability is not None:
        blocks.append(
            Text(
                fmt.t(
                    "report.priorities.stability",
                    k=stability.top_k,
                    draws=stability.draws,
                    seed=str(stability.seed),
                    share=fmt.pct(stability.robust_share),
                )
            )
        )
    blocks.append(Text(fmt.t("report.reminder"), "warning"))
    return Section("priorities", title, tuple(blocks))


def _decomposition_table(ranking: priorities.Ranking, fmt: _Fmt) -> Table:
    """Criteria (rows) by the best-ranked problems (columns): the score of each, explained."""
    t = ranking.table.head(TOP_PROBLEMS)
    keys = [
        key
        for key in ranking.criteria
        if np.abs(t[f"contrib_{key}"].to_numpy(dtype=float)).sum() > 0
    ]
    extra = ["base"] + (["rounding"] if "contrib_rounding" in t.columns else [])
    names = [*keys, *extra, "score"]
    frame = pd.DataFrame({"criterion": names})
    labels = priorities.problem_labels(t, fmt.lang).tolist()
    columns: list[tuple[str, str, Sequence[str]]] = [
        (
            fmt.t("report.col.criterion"),
            "text",
            [priorities.criterion_label(c, fmt.lang) for c in keys]
            + [fmt.t(f"priorities.col.contrib_{c}") for c in extra]
            + [fmt.t("priorities.col.score")],
        )
    ]
    for (_, row), label in zip(t.iterrows(), labels, strict=True):
        values = [float(row[f"contrib_{c}"]) for c in [*keys, *extra]] + [float(row["score"])]
        frame[str(row["problem"])] = values
        columns.append((label, "number", [fmt.num(v, 2) for v in values]))
    return _table(
        "decomposition",
        fmt.t("report.priorities.decomposition_title", n=len(t)),
        columns,
        frame,
        fmt.t("report.priorities.decomposition_note"),
    )


def _allocation_section(a: _Analyses, fmt: _Fmt) -> Section:

    title = fmt.t("report.section.allocation")
    result = a.allocation
    if result is None:
        blocks: list[Block] = _error_text(a, "allocation", fmt) or [
            Text(fmt.t("report.not_yet.allocation"), "note")
        ]
        return Section("allocation", title, tuple(blocks))
    s = result.summary
    intro = "report.allocation.intro_default" if a.allocation_default else "report.allocation.intro"
    blocks = [
        Text(
            fmt.t(
                intro,
                method=fmt.t(f"allocation.method.{result.method}"),
                total=fmt.num(s.get("total_hours")),
                floor=fmt.num(alloc_mod.DEFAULT_FLOOR_HOURS),
            )
        )
    ]
    for message in result.warnings:
        blocks.append(Text(message.render(fmt.lang), "warning"))
    t = _shown_allocation(a, fmt)
    dropped = len(result.table) - len(t)
    shown = dataclasses.replace(result, table=t.reset_index(drop=True))
    if a.allocation_areas is not None and len(t):
        blocks.append(
            MapBlock(
                "allocation_map",
                fmt.t("report.map.allocation"),
                "allocation",
                {"areas": a.allocation_areas, "allocation": shown},
                fmt.t("report.map.allocation_caption"),
            )
        )
    incidents = (
        t["incidents"].to_numpy(dtype=float)
        if "incidents" in t.columns
        else np.full(len(t), np.nan)
    )
    names = t["area"].astype(str).tolist()
    count_cells, hidden = _count_column(np.nan_to_num(incidents), names, fmt)
    if not np.isfinite(incidents).any():
        count_cells = ["–"] * len(t)
    frame = pd.DataFrame(
        {
            "area": names,
            "current_hours": t["current_hours"].to_numpy(dtype=float),
            "recommended_hours": t["recommended_hours"].to_numpy(dtype=float),
            "change_hours": t["change_hours"].to_numpy(dtype=float),
            "demand_share": t["demand_share"].to_numpy(dtype=float),
            "incidents": incidents,
        }
    )
    frame.loc[hidden, ["incidents", "demand_share"]] = np.nan
    dec = 0 if result.settings.get("step") is not None else 1
    blocks.append(
        _table(
            "allocation",
            fmt.t("report.allocation.table_title"),
            [
                (fmt.t("allocation.col.area"), "text", area_labels(names, fmt.lang)),
                (
                    fmt.t("allocation.col.current_hours"),
                    "number",
                    [fmt.num(v, dec) for v in frame["current_hours"]],
                ),
                (
                    fmt.t("allocation.col.recommended_hours"),
                    "number",
                    [fmt.num(v, dec) for v in frame["recommended_hours"]],
                ),
                (
                    fmt.t("allocation.col.change_hours"),
                    "number",
                    [fmt.num(v, dec) for v in frame["change_hours"]],
                ),
                (
                    fmt.t("allocation.col.demand_share"),
                    "number",
                    [fmt.pct(v, 1) for v in frame["demand_share"]],
                ),
                (fmt.t("allocation.col.incidents"), "count", count_cells),
            ],
            frame,
            fmt.t("report.allocation.dropped", n=dropped, k=str(fmt.k))
            if dropped
            else _suppression_note(hidden, fmt),
        )
    )
    moved = s.get("hours_moved", math.nan)
    blocks.append(
        Text(
            fmt.t(
                "report.allocation.summary",
                moved=fmt.num(moved),
                before=fmt.pct(s.get("prevented_share_current", math.nan), 1),
                after=fmt.pct(s.get("prevented_share_recommended", math.nan), 1),
            )
        )
    )
    blocks.append(Text(fmt.t("report.reminder"), "warning"))
    return Section("allocation", title, tuple(blocks))


# -- products typed by the user ----------------------------------------------------------


def _product(a: _Analyses, name: str) -> pd.DataFrame | None:
    frame = a.work.products.get(name) if a.work.products else None
    if frame is None or not isinstance(frame, pd.DataFrame) or frame.empty:
        return None
    return frame


def _cell(value: Any) -> str:
    """User-typed content as plain text (escaping is the renderer's job)."""
    if value is None:
        return ""
    if isinstance(value, float) and not np.isfinite(value):
        return ""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if not pd.isna(value) else ""
    return str(value)


def _text_table(
    key: str,
    title: str,
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    fmt: _Fmt,
    note: str = "",
) -> Table:
    data = pd.DataFrame(
        {c: [_cell(v) for v in frame[c]] if c in frame.columns else "" for c, _ in columns}
    )
    shown = []
    for c, header in columns:
        values = data[c].tolist()
        if c in ("date", "due"):
            values = [_date_text(v, fmt) for v in values]
        elif c in ("problem", "problems", "area"):
            values = [
                ", ".join(fmt.term(x.strip()) for x in v.split(",")) if v else "" for v in values
            ]
        elif c in ("status", "impact"):  # the Strategy page's words for its codes, when known
            values = [
                fmt.t(f"strategy.{c}.{v}") if v and i18n.has(f"strategy.{c}.{v}") else v
                for v in values
            ]
        shown.append((header, "text", values))
    return _table(key, title, shown, data, note)


def _date_text(value: str, fmt: _Fmt) -> str:
    try:
        return fmt.date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _intelligence_section(a: _Analyses, fmt: _Fmt) -> Section:
    title = fmt.t("report.section.intelligence")
    blocks: list[Block] = [Text(fmt.t("report.intelligence.intro"))]
    log = _product(a, "intel_log")
    requirements = _product(a, "requirements")
    ranking = a.work.ranking
    if log is None:
        blocks.append(Text(fmt.t("report.not_yet.intel_log"), "note"))
    else:
        blocks += _intel_summary(log, ranking, a, fmt)
        if fmt.wider:
            blocks.append(Text(fmt.t("report.intelligence.log_withheld"), "note"))
        else:
            blocks.append(
                _text_table(
                    "intel_log",
                    fmt.t("report.intelligence.log_title"),
                    log,
                    [
                        ("item_id", fmt.t("report.col.item")),
                        ("date", fmt.t("report.col.date")),
                        ("problem", fmt.t("report.col.problem")),
                        ("area", fmt.t("report.col.area")),
                        ("summary", fmt.t("report.col.summary")),
                        ("scheme", fmt.t("report.col.scheme")),
                        ("source", fmt.t("report.col.source")),
                        ("information", fmt.t("report.col.information")),
                        ("handling", fmt.t("report.col.handling")),
                        ("notes", fmt.t("report.col.notes")),
                    ],
                    fmt,
                    fmt.t("report.intelligence.log_note"),
                )
            )
    if requirements is None:
        blocks.append(Text(fmt.t("report.not_yet.requirements"), "note"))
    else:
        columns = [
            ("problem", fmt.t("report.col.problem")),
            ("known", fmt.t("report.col.known")),
            ("gap", fmt.t("report.col.gap")),
            ("requirement", fmt.t("report.col.requirement")),
            ("owner", fmt.t("report.col.owner")),
            ("due", fmt.t("report.col.due")),
            ("status", fmt.t("report.col.status")),
        ]
        if fmt.wider:
            columns = [c for c in columns if c[0] not in ("known", "owner")]
        blocks.append(
            _text_table(
                "requirements",
                fmt.t("report.intelligence.requirements_title"),
                requirements,
                columns,
                fmt,
                fmt.t("report.intelligence.requirements_wider") if fmt.wider else "",
            )
        )
    return Section("intelligence", title, tuple(blocks))


def _intel_summary(
    log: pd.DataFrame, ranking: priorities.Ranking | None, a: _Analyses, fmt: _Fmt
) -> list[Block]:
    """Items per priority and the priorities resting on weak or no graded intelligence."""
    from ilp_core.products import intelligence

    problems: Any = (
        _shown_ranking(a, fmt)[["problem", "rank", "tier"]] if ranking is not None else ()
    )
    try:
        summary = intelligence.summarise(log, problems)
    except IlpInputError as error:
        return [Text(fmt.t("report.not_available", reason=error.render(fmt.lang)), "warning")]
    per = summary.per_problem
    flagged = per.loc[per["flag_reason"].notna() & per.get("in_ranking", True)]
    if "tier" in flagged.columns and (flagged["tier"].astype(str) == "high").any():
        flagged = flagged.loc[flagged["tier"].astype(str) == "high"]  # the priorities that matter
    names = [fmt.term(p) for p in flagged["problem"].astype(str)]
    blocks: list[Block] = []
    if names:
        blocks.append(Text(fmt.t("report.intelligence.gaps", problems=fmt.names(names)), "warning"))
    if not fmt.wider:
        frame = pd.DataFrame(
            {
                "problem": per["problem"].astype(str).to_numpy(),
                "n_items": per["n_items"].to_numpy(dtype=float),
                "n_weak": per["n_weak"].to_numpy(dtype=float),
                "flag_reason": [str(r) if isinstance(r, str) else "" for r in per["flag_reason"]],
            }
        )
        blocks.append(
            _table(
                "intel_summary",
                fmt.t("report.intelligence.summary_title"),
                [
                    (fmt.t("report.col.problem"), "text", [fmt.term(p) for p in frame["problem"]]),
                    (fmt.t("report.col.items"), "number", [fmt.num(v) for v in frame["n_items"]]),
                    (fmt.t("report.col.weak"), "number", [fmt.num(v) for v in frame["n_weak"]]),
                    (
                        fmt.t("report.col.flag"),
                        "text",
                        [
                            fmt.t(f"report.intel_flag.{r}") if r else ""
                            for r in frame["flag_reason"]
                        ],
                    ),
                ],
                frame,
                intelligence.weak_rule().render(fmt.lang),
            )
        )
    return blocks


def _strategy_section(a: _Analyses, fmt: _Fmt) -> Section:
    title = fmt.t("report.section.strategy")
    blocks: list[Block] = [Text(fmt.t("report.strategy.intro"))]
    strategy = _product(a, "strategy")
    if strategy is None:
        blocks.append(Text(fmt.t("report.not_yet.strategy"), "note"))
    else:
        frame = strategy.copy()
        if "pillar" in frame.columns:
            order = {p: i for i, p in enumerate(PILLARS)}
            frame["_order"] = [order.get(str(p), len(order)) for p in frame["pillar"]]
            frame = frame.sort_values("_order", kind="stable").drop(columns="_order")
            frame["pillar"] = [
                fmt.t(f"report.pillar.{p}") if str(p) in order else str(p) for p in frame["pillar"]
            ]
        if "suggested" in frame.columns:
            frame["suggested"] = [
                fmt.t("report.suggested") if bool(s) is True else fmt.t("report.entered")
                for s in frame["suggested"].fillna(False)
            ]
        columns = [
            ("pillar", fmt.t("report.col.pillar")),
            ("problem", fmt.t("report.col.problem")),
            ("action", fmt.t("report.col.action")),
            ("owner", fmt.t("report.col.owner")),
            ("suggested", fmt.t("report.col.origin")),
        ]
        if fmt.wider:
            columns = [c for c in columns if c[0] != "owner"]
        blocks.append(
            _text_table("strategy", fmt.t("report.strategy.table_title"), frame, columns, fmt)
        )
    pestel = _product(a, "pestel")
    if pestel is not None:
        frame = pestel.copy()
        if "category" in frame.columns:
            frame["category"] = [
                fmt.t(f"report.pestel.{c}") if str(c) in PESTEL else str(c)
                for c in frame["category"]
            ]
        blocks.append(
            _text_table(
                "pestel",
                fmt.t("report.strategy.pestel_title"),
                frame,
                [
                    ("category", fmt.t("report.col.category")),
                    ("factor", fmt.t("report.col.factor")),
                    ("problems", fmt.t("report.col.problems")),
                    ("impact", fmt.t("report.col.impact")),
                ],
                fmt,
            )
        )
    swot = _product(a, "swot")
    if swot is not None:
        frame = swot.copy()
        if "quadrant" in frame.columns:
            frame["quadrant"] = [
                fmt.t(f"report.swot.{q}") if str(q) in SWOT else str(q) for q in frame["quadrant"]
            ]
        blocks.append(
            _text_table(
                "swot",
                fmt.t("report.strategy.swot_title"),
                frame,
                [
                    ("quadrant", fmt.t("report.col.quadrant")),
                    ("factor", fmt.t("report.col.factor")),
                    ("problems", fmt.t("report.col.problems")),
                ],
                fmt,
            )
        )
    if pestel is None and swot is None:
        blocks.append(Text(fmt.t("report.not_yet.environment"), "note"))
    return Section("strategy", title, tuple(blocks))


# -- annex ----------------------------------------------------------------------------------


def _parameters(a: _Analyses, fmt: _Fmt) -> dict[str, Any]:
    """Every method and parameter used, JSON-ready (the annex and the HTML's embedded record)."""
    out: dict[str, Any] = {
        "software": {"ilp_core": ilp_core.__version__},
        "data": {
            "name": a.data.name,
            "fingerprint": a.data.fingerprint,
            "incidents_in_view": int(len(a.incidents)),
            "period": [d.isoformat() for d in a.period] if a.period else None,
            "offences": list(a.offences),
        },
        "release": {
            "wider_release": fmt.wider,
            "k": fmt.k,
            "round_base": suppression.ROUND_BASE,
        },
    }
    if a.gi is not None:
        out["hotspots"] = {
            "statistic": "Getis-Ord Gi*",
            "unit": a.gi.unit,
            "cell_size_m": a.gi.grid.cell_size if a.gi.grid else None,
            "weights": a.gi.weights,
            "fdr": a.gi.fdr,
            "alpha_levels": list(a.gi.alpha_levels),
            "n_units": a.gi.n_units,
        }
    if a.change is not None:
        out["hotspot_change"] = {
            "period_days": a.change.period_days,
            "n_periods": a.change.n_periods,
            "fdr": a.change.fdr,
            **dataclasses.asdict(a.change.thresholds),
        }
    if a.trend is not None:
        out["trend"] = {
            "test": "Mann-Kendall, Theil-Sen slope",
            "freq": a.trend.freq,
            "alpha": a.trend.alpha,
            "window": a.trend.window,
            "first_period": a.trend.first_period.isoformat(),
            "last_period": a.trend.last_period.isoformat(),
        }
    if a.control is not None:
        out["control_limits"] = {
            "baseline": a.control.baseline,
            "min_baseline": a.control.min_baseline,
            "alpha": a.control.alpha,
            "distribution": a.control.distribution,
        }
    if a.comparison is not None:
        out["comparison"] = {
            "test": "exact conditional test of two Poisson rates, Benjamini-Hochberg",
            "by": a.comparison.by,
            "period_a": [d.isoformat() for d in a.comparison.period_a],
            "period_b": [d.isoformat() for d in a.comparison.period_b],
            "alpha": a.comparison.alpha,
        }
    if a.rhythm is not None:
        out["rhythm"] = {
            "aoristic": a.rhythm.aoristic,
            "max_window_hours": a.rhythm.max_window_hours,
            "long_windows": a.rhythm.long_windows,
        }
    if a.knox is not None:
        k = a.knox
        out["near_repeat"] = {
            "test": "Knox, Monte Carlo permutation of dates",
            "offences": list(a.knox_offences),
            "distance_edges_m": list(k.distance_edges),
            "day_edges": list(k.day_edges),
            "same_location": k.same_location,
            "metric": k.metric,
            "permutations": k.permutations,
            "seed": k.seed,
            "n_events": k.n_events,
        }
    ranking = a.work.ranking
    if ranking is not None:
        entry: dict[str, Any] = {
            "scheme": ranking.scheme.to_dict(),
            "effective_weights": {c: float(w) for c, w in ranking.weights.items()},
            "criteria": list(ranking.criteria),
        }
        if a.work.stability is not None:
            s = a.work.stability
            entry["stability"] = {
                "top_k": s.top_k,
                "draws": s.draws,
                "seed": s.seed,
                "weight_uncertainty": s.weight_uncertainty,
                "half_width": dict(s.half_width),
                "robust_share": s.robust_share,
            }
        if a.work.assessment is not None:
            assessment = a.work.assessment.to_dict()
            if fmt.wider:
                assessment.pop("entered", None)
            entry["assessment"] = assessment
        out["priorities"] = entry
    if a.allocation is not None:
        out["allocation"] = {
            "default": a.allocation_default,
            "settings": dict(a.allocation.settings),
            "scenario": dict(a.work.allocation_scenario),
        }
    return json.loads(json.dumps(out, default=str))


def _harm_rows(a: _Analyses) -> tuple[dict[str, float], float, bool]:
    table = harm.harm_table()
    assessment = a.work.assessment
    if assessment is not None:
        return dict(assessment.harm_weights), float(assessment.default_harm_days), True
    return table.weights(), float(table.unknown_offence_days), False


def _methods_section(a: _Analyses, fmt: _Fmt) -> Section:
    blocks: list[Block] = [Text(fmt.t("report.methods.intro"))]
    rows: list[tuple[str, str]] = [
        (fmt.t("report.methods.version"), ilp_core.__version__),
        (fmt.t("report.methods.fingerprint"), a.data.fingerprint),
        (
            fmt.t("report.methods.dataset"),
            fmt.t("report.sample_name") if a.data.is_sample else a.data.name,
        ),
        (
            fmt.t("report.methods.period"),
            f"{fmt.date(a.period[0])} – {fmt.date(a.period[1])}" if a.period else "–",
        ),
        (
            fmt.t("report.methods.offences"),
            fmt.names([fmt.term(o) for o in a.offences])
            if a.offences
            else fmt.t("report.data.all_offences"),
        ),
        (
            fmt.t("report.methods.release"),
            fmt.t("report.methods.release_wider", k=str(fmt.k), base=str(suppression.ROUND_BASE))
            if fmt.wider
            else fmt.t("report.methods.release_internal"),
        ),
    ]
    if a.gi is not None:
        rows.append(
            (
                fmt.t("report.methods.hotspots"),
                fmt.t(
                    "report.methods.hotspots_value",
                    cell=fmt.num(a.gi.grid.cell_size) if a.gi.grid else "–",
                    fdr=fmt.t("report.yes" if a.gi.fdr else "report.no"),
                    levels=", ".join(fmt.num(x, 2) for x in a.gi.alpha_levels),
                ),
            )
        )
    if a.change is not None:
        th = a.change.thresholds
        rows.append(
            (
                fmt.t("report.methods.change"),
                fmt.t(
                    "report.methods.change_value",
                    days=a.change.period_days,
                    n=a.change.n_periods,
                    recent=th.recent_periods,
                    persistent=fmt.pct(th.persistent_share),
                    emerging=fmt.pct(th.emerging_recent_share),
                    before=fmt.pct(th.emerging_before_share),
                    former=fmt.pct(th.former_before_share),
                    alpha=fmt.num(th.alpha, 2),
                ),
            )
        )
    if a.trend is not None:
        rows.append(
            (
                fmt.t("report.methods.trend"),
                fmt.t(
                    "report.methods.trend_value",
                    alpha=fmt.num(a.trend.alpha, 2),
                    window=a.trend.window,
                    first=fmt.date(a.trend.first_period),
                    last=fmt.date(a.trend.last_period),
                ),
            )
        )
    if a.control is not None:
        rows.append(
            (
                fmt.t("report.methods.control"),
                fmt.t(
                    "report.methods.control_value",
                    baseline=a.control.baseline,
                    alpha=fmt.num(a.control.alpha, 4),
                    distribution=a.control.distribution,
                ),
            )
        )
    if a.comparison is not None:
        (a0, a1), (b0, b1) = a.comparison.period_a, a.comparison.period_b
        rows.append(
            (
                fmt.t("report.methods.comparison"),
                fmt.t(
                    "report.methods.comparison_value",
                    start_a=fmt.date(a0),
                    end_a=fmt.date(a1),
                    start_b=fmt.date(b0),
                    end_b=fmt.date(b1),
                    alpha=fmt.num(a.comparison.alpha, 2),
                ),
            )
        )
    if a.knox is not None:
        k = a.knox
        rows.append(
            (
                fmt.t("report.methods.knox"),
                fmt.t(
                    "report.methods.knox_value",
                    distances=", ".join(fmt.num(x) for x in k.distance_edges),
                    days=", ".join(fmt.num(x) for x in k.day_edges),
                    metric=fmt.t(f"near_repeat.metric.{k.metric}"),
                    permutations=k.permutations,
                    seed=str(k.seed),
                ),
            )
        )
    ranking = a.work.ranking
    if ranking is not None:
        sc = ranking.scheme
        rows.append(
            (
                fmt.t("report.methods.priorities"),
                fmt.t(
                    "report.methods.priorities_value",
                    method=_method_label(sc, fmt),
                    preset=sc.preset or "–",
                    tiers=sc.tiers,
                    bands=", ".join(fmt.num(b, 1) for b in sc.bands),
                    position=", ".join(fmt.num(b, 2) for b in sc.position_range),
                ),
            )
        )
        if a.work.stability is not None:
            s = a.work.stability
            rows.append(
                (
                    fmt.t("report.methods.stability"),
                    fmt.t(
                        "report.methods.stability_value",
                        k=s.top_k,
                        draws=s.draws,
                        seed=str(s.seed),
                        uncertainty=fmt.pct(s.weight_uncertainty),
                        share=fmt.pct(s.robust_share),
                    ),
                )
            )
    if a.allocation is not None:
        settings = a.allocation.settings
        rows.append(
            (
                fmt.t("report.methods.allocation"),
                "; ".join(f"{k}: {_setting(v, fmt)}" for k, v in settings.items()),
            )
        )
    frame = pd.DataFrame({"parameter": [r[0] for r in rows], "value": [r[1] for r in rows]})
    blocks.append(
        _table(
            "parameters",
            fmt.t("report.methods.parameters_title"),
            [
                (fmt.t("report.col.parameter"), "text", frame["parameter"].tolist()),
                (fmt.t("report.col.value"), "text", frame["value"].tolist()),
            ],
            frame,
        )
    )
    if ranking is not None:
        keys = list(ranking.criteria)
        frame = pd.DataFrame(
            {
                "criterion": keys,
                "weight": [float(ranking.scheme.weights.get(c, 0.0)) for c in keys],
                "effective_weight": [float(ranking.weights.get(c, math.nan)) for c in keys],
            }
        )
        blocks.append(
            _table(
                "weights",
                fmt.t("report.methods.weights_title"),
                [
                    (
                        fmt.t("report.col.criterion"),
                        "text",
                        [priorities.criterion_label(c, fmt.lang) for c in keys],
                    ),
                    (
                        fmt.t("report.col.weight"),
                        "number",
                        [fmt.num(v, 2) for v in frame["weight"]],
                    ),
                    (
                        fmt.t("report.col.effective_weight"),
                        "number",
                        [fmt.num(v, 3) for v in frame["effective_weight"]],
                    ),
                ],
                frame,
            )
        )
        weights, default_days, from_session = _harm_rows(a)
        present = sorted({str(o) for o in a.incidents["offence"].dropna().astype(str)})
        days, has = harm.weight_for(present, weights, default_days)
        sources = {i18n.slug(r.offence): r for r in harm.harm_table().table.itertuples()}
        frame = pd.DataFrame({"offence": present, "days": np.asarray(days, dtype=float)})
        blocks.append(
            _table(
                "harm",
                fmt.t("report.methods.harm_title"),
                [
                    (fmt.t("report.col.offence"), "text", [fmt.term(o) for o in present]),
                    (
                        fmt.t("report.col.harm_days"),
                        "number",
                        [fmt.num(v, 1) for v in frame["days"]],
                    ),
                    (
                        fmt.t("report.col.harm_source"),
                        "text",
                        [
                            _harm_source(o, d, h, sources, default_days, fmt)
                            for o, d, h in zip(present, frame["days"], has, strict=True)
                        ],
                    ),
                ],
                frame,
                fmt.t(
                    "report.methods.harm_session" if from_session else "report.methods.harm_bundled"
                ),
            )
        )
    blocks.append(Text(fmt.t("report.methods.reproduce", fingerprint=a.data.fingerprint), "note"))
    blocks.append(Text(fmt.t("report.methods.record"), "note"))
    return Section("methods", fmt.t("report.section.methods"), tuple(blocks))


def _harm_source(
    offence: str, days: float, has: bool, sources: Mapping[str, Any], default: float, fmt: _Fmt
) -> str:
    """Where an offence's harm weight comes from: a guideline, the default, or the session."""
    row = sources.get(i18n.slug(offence))
    if not has:
        return fmt.t("report.methods.harm_default", days=fmt.num(default, 1))
    if row is None or not math.isclose(float(row.days), float(days)):
        return fmt.t("report.methods.harm_set")
    return f"{row.guideline}; {row.category}"


def _setting(value: Any, fmt: _Fmt) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return fmt.t("report.yes" if value else "report.no")
    if isinstance(value, int | float):
        return fmt.num(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_setting(v, fmt)}" for k, v in value.items())
    return str(value)


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------


def to_html(report: Report) -> str:
    """Render the report as one self-contained HTML page that opens offline.

    plotly.js is inlined once in the page's head and every chart is an
    interactive plotly figure; every map is an interactive Leaflet map with
    Leaflet inlined (each in its own frame, as its own small document), and no
    address outside the file is ever loaded. Text is escaped by Jinja2's
    autoescaping; the charts' data are JSON with ``<`` escaped (plotly), and the
    maps' properties are HTML-escaped (:func:`ilp_core.figures.maps.escape_properties`).
    The parameters of the annex are embedded as JSON
    (``<script type="application/json" id="ilp-parameters">``).

    Parameters
    ----------
    report
        Output of :func:`build_report`.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> page = to_html(build_report(load_sample(), sections=("data",)))
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page
    (True, False)
    """
    import jinja2
    import plotly.io as pio
    import plotly.offline
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["id"] = id
    rendered: dict[int, Markup] = {}
    charts = report.blocks(Figure)
    for number, figure in enumerate(charts):
        fig = plotly_figure(figure, report.lang, report.k if report.wider_release else None)
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{number}",
            default_height="460px",
        )
        rendered[id(figure)] = Markup(div)
    for map_block in report.blocks(MapBlock):
        rendered[id(map_block)] = Markup(_map_iframe(map_block, report.lang))
    parameters = json.dumps(report.parameters, ensure_ascii=False, sort_keys=True)
    parameters = parameters.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    template = env.get_template("report.html.j2")
    return template.render(
        report=report,
        t=lambda key, **params: i18n.t(key, report.lang, **params),
        created=i18n.date(report.created, report.lang, "long"),
        rendered=rendered,
        plotly_js=Markup(plotly.offline.get_plotlyjs()) if charts else "",
        parameters=Markup(parameters),
        digest=hashlib.sha256(parameters.encode("utf-8")).hexdigest()[:16],
    )


def plotly_figure(figure: Figure, lang: str, k: int | None = None) -> Any:
    """Build the interactive chart of a report figure (``k``: mask counts below it)."""
    data = figure.data
    if figure.kind == "hour_weekday":
        fig = figures.when.hour_weekday_heatmap(data["table"], lang=lang)
        fig.data[0].z = [
            [None if not np.isfinite(v) else float(v) for v in row]
            for row in data["matrix"].to_numpy(dtype=float)
        ]
    elif figure.kind == "series":
        fig = figures.when.series_chart(
            data["control"], offence=data["offence"], trend=data["trend"], lang=lang
        )
    elif figure.kind == "comparison":
        fig = figures.when.comparison_chart(data["comparison"], lang=lang)
    elif figure.kind == "knox":
        fig = figures.near_repeat.knox_heatmap(data["knox"], lang=lang)
    elif figure.kind == "contributions":
        fig = figures.priorities.contributions_chart(data["ranking"], lang=lang)
    else:
        raise ValueError(f"unknown figure kind {figure.kind!r}")
    del k
    return fig


def folium_map(block: MapBlock, lang: str) -> Any:
    """Build the interactive map of a report map block (Leaflet inlined, no attribution link)."""
    assets = figures.maps.MapAssets(inline=True)
    data = block.data
    if block.kind == "hotspots":
        m = figures.where.hotspot_map(
            districts=data["districts"], gi=data["gi"], lang=lang, assets=assets
        )
    elif block.kind == "change":
        m = figures.where.change_map(
            data["change"], districts=data["outlines"], lang=lang, assets=assets
        )
    elif block.kind == "allocation":
        m = figures.allocation.change_map(
            data["areas"], data["allocation"], lang=lang, assets=assets
        )
    else:
        raise ValueError(f"unknown map kind {block.kind!r}")
    m.options["attribution_control"] = False
    return m


def _map_iframe(block: MapBlock, lang: str) -> str:
    """The map as its own document in an ``<iframe srcdoc>`` (attribute-escaped)."""
    import html as html_module

    page = figures.maps.render_html(folium_map(block, lang), inline=True)
    return (
        f'<iframe class="map" title="{html_module.escape(block.title)}" '
        f'srcdoc="{html_module.escape(page, quote=True)}"></iframe>'
    )
