"""The sections on decisions: the ranked priorities, each score explained, and the allocation."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilp_core.decide import allocation as alloc_mod
from ilp_core.decide import priorities
from ilp_core.figures.allocation import area_labels
from ilp_core.products import suppression
from ilp_core.products.report._analyses import (
    _Analyses,
    _error_text,
    _shown_allocation,
    _shown_ranking,
)
from ilp_core.products.report._content import (
    TOP_PROBLEMS,
    Block,
    Figure,
    MapBlock,
    Section,
    Table,
    Text,
)
from ilp_core.products.report._format import (
    _count_column,
    _Fmt,
    _method_label,
    _suppression_note,
    _table,
)


def _priorities_section(a: _Analyses, fmt: _Fmt) -> Section:
    """Priorities: the ranking as published, each score's contributions, and its stability."""
    ranking = a.ranking
    title = fmt.t("report.section.priorities")
    if ranking is None:
        return Section("priorities", title, (Text(fmt.t("report.not_yet.priorities"), "note"),))
    scheme = ranking.scheme
    blocks: list[Block] = [
        Text(fmt.t("report.priorities.intro", method=_method_label(scheme, fmt))),
    ]
    for message in ranking.warnings:
        blocks.append(Text(message.render(fmt.lang), "warning"))
    t = _shown_ranking(a, fmt)
    dropped = len(ranking.table) - len(t)
    labels = priorities.problem_labels(t, fmt.lang).tolist()
    stability = a.stability
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
    """Allocation: the map of changes, the hours per area, and what the change would achieve."""
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
