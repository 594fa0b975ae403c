"""The Outlook section: what is likely to rise next, how sure that is, and what has emerged.

Three parts, each from the Outlook page's defaults (:func:`_analyses._outlook`):
the forecast of each offence for the next 12 months with its 80 % interval and
how its model did on the past (MASE, coverage), with the offences not forecast
and why, and the chart of the offence most likely to rise; the offences rising
beyond their season or new; the significant new clusters in space and time.

For wider release, an offence or cluster of fewer than ``k`` incidents is left
out (rows and names), recent counts below ``k`` show as ``<k``, and the chart is
shown only for a series whose every month holds ``k`` or more incidents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilp_core.analysis import forecast as fc
from ilp_core.products import suppression
from ilp_core.products.report._analyses import _Analyses, _error_text
from ilp_core.products.report._content import Block, Figure, Section, Table, Text
from ilp_core.products.report._format import (
    _count_column,
    _Fmt,
    _suppression_note,
    _table,
)

#: Months ahead of the forecast table (the strategic assessment's year).
HORIZON = 12


def _outlook_section(a: _Analyses, fmt: _Fmt) -> Section:
    """Forecasts with their intervals and backtest, emerging offences, new clusters."""
    blocks: list[Block] = [Text(fmt.t("report.outlook.intro"))]
    blocks += _forecast_blocks(a, fmt)
    blocks += _emerging_blocks(a, fmt)
    blocks += _cluster_blocks(a, fmt)
    blocks.append(Text(fmt.t("report.outlook.caveat"), "note"))
    return Section("outlook", fmt.t("report.section.outlook"), tuple(blocks))


def _small_series(result: fc.Forecast, fmt: _Fmt) -> set[str]:
    """Series of fewer than ``k`` incidents in all (left out for wider release)."""
    if not fmt.wider:
        return set()
    totals = result.history.groupby("series", sort=False)["count"].sum()
    return {str(s) for s, n in totals.items() if 0 < n < fmt.k}


def _forecast_blocks(a: _Analyses, fmt: _Fmt) -> list[Block]:
    result = a.forecast
    if result is None:
        return _error_text(a, "forecast", fmt)
    small = _small_series(result, fmt)
    horizon = max(h for h in result.horizons if h <= HORIZON)
    change = result.change.loc[
        (result.change["horizon"] == horizon) & ~result.change["series"].isin(small)
    ]
    summary = result.summary.set_index("series")
    change = change.assign(
        model=summary.loc[change["series"], "model"].to_numpy(),
        mase=summary.loc[change["series"], "mase"].to_numpy(dtype=float),
        coverage_80=summary.loc[change["series"], "coverage_80"].to_numpy(dtype=float),
    ).sort_values("p_rise", ascending=False, kind="stable")
    blocks: list[Block] = [_forecast_table(change, horizon, result, fmt)]
    declined = result.summary.loc[
        (result.summary["status"] != "forecast") & ~result.summary["series"].isin(small)
    ]
    if len(declined):
        reasons = [
            f"{fmt.term(s)} ({fmt.t(f'forecast.status.{st}')})"
            for s, st in zip(declined["series"], declined["status"], strict=True)
        ]
        blocks.append(Text(fmt.t("report.outlook.declined", names="; ".join(reasons)), "note"))
    pick = _chart_series(change, result, fmt)
    if pick is not None:
        blocks.append(
            Figure(
                "forecast",
                fmt.t("forecast.chart.title", series=fmt.term(pick)),
                "forecast",
                {"forecast": result, "series": pick},
                fmt.t("forecast.caption.forecast"),
            )
        )
    return blocks


def _forecast_table(change: pd.DataFrame, horizon: int, result: fc.Forecast, fmt: _Fmt) -> Table:
    frame = change[
        [
            "series", "expected", "lower_80", "upper_80", "previous", "change_pct",
            "change_lower_80", "change_upper_80", "p_rise", "outlook", "model", "mase",
            "coverage_80",
        ]
    ].reset_index(drop=True)  # fmt: skip

    names = frame["series"].astype(str).tolist()
    previous, hidden = _count_column(frame["previous"].to_numpy(dtype=float), names, fmt)
    frame.loc[hidden, ["previous", "change_pct", "change_lower_80", "change_upper_80"]] = np.nan

    def between(low: Sequence[float], high: Sequence[float], pct: bool = False) -> list[str]:
        show = fmt.signed_pct if pct else fmt.num
        return [f"{show(lo)} – {show(hi)}" for lo, hi in zip(low, high, strict=True)]

    columns: list[tuple[str, str, Sequence[str]]] = [
        (fmt.t("forecast.column.series_offence"), "text", [fmt.term(s) for s in frame["series"]]),
        (fmt.t("forecast.column.expected"), "number", [fmt.num(v) for v in frame["expected"]]),
        (
            fmt.t("forecast.column.interval_80"),
            "number",
            between(frame["lower_80"], frame["upper_80"]),
        ),
        (fmt.t("forecast.column.previous"), "count", previous),
        (
            fmt.t("forecast.column.change_pct"),
            "number",
            [fmt.signed_pct(v) for v in frame["change_pct"]],
        ),
        (
            fmt.t("forecast.column.change_interval_80"),
            "number",
            between(frame["change_lower_80"], frame["change_upper_80"], pct=True),
        ),
        (
            fmt.t("forecast.column.outlook"),
            "text",
            [fmt.t(f"forecast.outlook.{o}") for o in frame["outlook"]],
        ),
        (
            fmt.t("forecast.column.model"),
            "text",
            [fmt.t(f"forecast.model.{m}") for m in frame["model"]],
        ),
        (fmt.t("forecast.column.mase"), "number", [fmt.num(v, 2) for v in frame["mase"]]),
        (
            fmt.t("forecast.column.coverage_80"),
            "number",
            [fmt.pct(v) for v in frame["coverage_80"]],
        ),
    ]
    return _table(
        "forecast",
        fmt.t(
            "report.outlook.forecast_title",
            horizon=horizon,
            start=fmt.date(result.first_forecast),
        ),
        columns,
        frame,
        " ".join(
            s
            for s in (
                fmt.t(
                    "report.outlook.forecast_note",
                    likely=fmt.pct(result.likely),
                    origins=result.origins_used,
                    max_mase=fmt.num(result.max_mase),
                ),
                _suppression_note(hidden, fmt),
            )
            if s
        ),
    )


def _chart_series(change: pd.DataFrame, result: fc.Forecast, fmt: _Fmt) -> str | None:
    """The series to chart: the most likely to rise (else the largest) that may be shown."""
    history = result.history
    for name in change["series"]:
        counts = history.loc[history["series"] == name, "count"].to_numpy(dtype=float)
        if not fmt.wider or (len(counts) and counts.min() >= fmt.k):
            return str(name)
    return None


def _emerging_blocks(a: _Analyses, fmt: _Fmt) -> list[Block]:
    em = a.emerging
    if em is None:
        return _error_text(a, "emerging", fmt)
    t = em.table.loc[em.table["status"] != "as_expected"].reset_index(drop=True)
    if fmt.wider:
        t = t.loc[~suppression.small_rows(t["recent_count"], fmt.k)].reset_index(drop=True)
    caption = fmt.t(
        "forecast.caption.emerging",
        recent=em.recent_months,
        start=fmt.date(em.recent_start),
        end=fmt.date(em.recent_end),
        baseline=em.baseline_months,
        alpha=fmt.num(em.alpha, 2),
    )
    if t.empty:
        return [Text(fmt.t("report.outlook.no_emerging") + " " + caption, "note")]
    names = t["offence"].astype(str).tolist()
    cells, hidden = _count_column(t["recent_count"].to_numpy(dtype=float), names, fmt)
    frame = t[["offence", "recent_count", "expected", "ratio", "p_fdr", "status"]].copy()
    frame.loc[hidden, "recent_count"] = np.nan
    columns: list[tuple[str, str, Sequence[str]]] = [
        (fmt.t("forecast.column.series_offence"), "text", [fmt.term(n) for n in names]),
        (fmt.t("forecast.column.recent_count"), "count", cells),
        (
            fmt.t("forecast.column.expected_recent"),
            "number",
            [fmt.num(v, 1) for v in frame["expected"]],
        ),
        (fmt.t("forecast.column.ratio"), "number", [fmt.num(v, 2) for v in frame["ratio"]]),
        (fmt.t("forecast.column.p_fdr"), "number", [fmt.p(v) for v in frame["p_fdr"]]),
        (
            fmt.t("forecast.column.emerging_status"),
            "text",
            [fmt.t(f"forecast.emerging.{s}") for s in frame["status"]],
        ),
    ]
    note = " ".join(s for s in (caption, _suppression_note(hidden, fmt)) if s)
    return [_table("emerging", fmt.t("report.outlook.emerging_title"), columns, frame, note)]


def _cluster_blocks(a: _Analyses, fmt: _Fmt) -> list[Block]:
    scan = a.scan
    if scan is None:
        return _error_text(a, "scan", fmt)
    used = Text(
        fmt.t(
            "scan.used",
            n=fmt.total(scan.n_events),
            start=fmt.date(scan.start),
            end=fmt.date(scan.end),
            cells=scan.n_cells,
            permutations=scan.permutations,
            seed=str(scan.seed),
        ),
        "note",
    )
    c = scan.clusters
    c = c.loc[c["significant"].astype(bool)]
    if fmt.wider:
        c = c.loc[~suppression.small_rows(c["observed"], fmt.k)]
    c = c.reset_index(drop=True)
    if c.empty:
        return [
            Text(fmt.t("report.outlook.no_cluster", alpha=fmt.num(scan.alpha, 2)), "note"),
            used,
        ]
    frame = c[
        [
            "rank", "district", "top_offence", "start", "days", "radius_m", "observed",
            "expected", "ratio", "p_value", "recurrence_years",
        ]
    ].copy()  # fmt: skip
    columns: list[tuple[str, str, Sequence[str]]] = [
        (fmt.t("scan.column.rank"), "number", [str(int(r)) for r in frame["rank"]]),
        (fmt.t("scan.column.district"), "text", [fmt.term(d) for d in frame["district"]]),
        (fmt.t("scan.column.top_offence"), "text", [fmt.term(o) for o in frame["top_offence"]]),
        (fmt.t("scan.column.start"), "text", [fmt.date(d) for d in frame["start"]]),
        (fmt.t("scan.column.days"), "number", [str(int(d)) for d in frame["days"]]),
        (fmt.t("scan.column.radius_m"), "number", [fmt.num(r) for r in frame["radius_m"]]),
        (fmt.t("scan.column.observed"), "count", [fmt.num(v) for v in frame["observed"]]),
        (fmt.t("scan.column.expected"), "number", [fmt.num(v, 1) for v in frame["expected"]]),
        (fmt.t("scan.column.ratio"), "number", [fmt.num(v, 2) for v in frame["ratio"]]),
        (fmt.t("scan.column.p_value"), "number", [fmt.p(v) for v in frame["p_value"]]),
        (
            fmt.t("scan.column.recurrence_years"),
            "number",
            [fmt.num(v, 1) for v in frame["recurrence_years"]],
        ),
    ]
    note = fmt.t(
        "scan.caption.recurrence",
        permutations=scan.permutations,
        per_year=fmt.num(scan.analyses_per_year),
    )
    title = fmt.t("report.outlook.clusters_title", alpha=fmt.num(scan.alpha, 2))
    return [_table("clusters", title, columns, frame, note), used]
