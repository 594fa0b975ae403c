"""The key findings: one generated sentence per pattern worth a manager's attention.

Each family of results gives its sentences (hot spots and their change, trends
and period changes, near repeats, priorities, allocation, data quality), in the
report's language and under its release policy; :func:`_findings_section` lists
them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ilp_core.analysis import near_repeat, temporal
from ilp_core.decide import priorities
from ilp_core.figures.allocation import area_label
from ilp_core.products import suppression
from ilp_core.products.report._analyses import (
    _Analyses,
    _hot_cells,
    _shown_allocation,
    _shown_ranking,
)
from ilp_core.products.report._content import HOT_CLASSES, Block, Section, Text
from ilp_core.products.report._format import _count_column, _Fmt, _method_label


def _findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    """Every key finding, in the order a manager reads them: where, when, repeats, what next."""
    out: list[str] = []
    out += _hotspot_findings(a, fmt)
    out += _trend_findings(a, fmt)
    out += _knox_findings(a, fmt)
    out += _outlook_findings(a, fmt)
    out += _priority_findings(a, fmt)
    out += _allocation_findings(a, fmt)
    out += _quality_findings(a, fmt)
    return out


def _outlook_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    """What is likely to rise or fall next year, and what has emerged (with the Outlook section)."""
    out: list[str] = []
    if a.forecast is not None:
        f = a.forecast
        small: set[str] = set()
        if fmt.wider:
            totals = f.history.groupby("series", sort=False)["count"].sum()
            small = {str(s) for s, n in totals.items() if n < fmt.k}
        change = f.change.loc[
            (f.change["horizon"] == max(f.horizons)) & ~f.change["series"].isin(small)
        ]
        for outlook in ("likely_rise", "likely_fall"):
            rows = change.loc[change["outlook"] == outlook]
            if len(rows):
                items = [
                    fmt.t(
                        "report.finding.outlook_item",
                        offence=fmt.term(r.series),
                        change=fmt.signed_pct(r.change_pct),
                        lower=fmt.signed_pct(r.change_lower_80),
                        upper=fmt.signed_pct(r.change_upper_80),
                    )
                    for r in rows.itertuples(index=False)
                ]
                out.append(
                    fmt.t(
                        f"report.finding.{outlook}",
                        months=max(f.horizons),
                        offences=fmt.names(items),
                    )
                )
    if a.emerging is not None:
        t = a.emerging.table
        t = t.loc[t["status"] != "as_expected"]
        if fmt.wider:
            t = t.loc[~suppression.small_rows(t["recent_count"], fmt.k)]
        if len(t):
            names = [fmt.term(o) for o in t["offence"]]
            out.append(fmt.t("report.finding.emerging", offences=fmt.names(names)))
    if a.scan is not None:
        c = a.scan.clusters
        c = c.loc[c["significant"].astype(bool)]
        if fmt.wider:
            c = c.loc[~suppression.small_rows(c["observed"], fmt.k)]
        if len(c):
            places = list(dict.fromkeys(fmt.term(d) for d in c["district"] if str(d)))
            out.append(fmt.t("report.finding.clusters", n=len(c), places=fmt.names(places)))
    return out


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


def _priority_findings(a: _Analyses, fmt: _Fmt) -> list[str]:
    ranking = a.ranking
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
    stability = a.stability
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
