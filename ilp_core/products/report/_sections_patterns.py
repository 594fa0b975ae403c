"""The sections on patterns: where (hot spots, their change, districts), when, and near repeats."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import i18n, keys
from ilp_core.analysis import hotspots, temporal
from ilp_core.products import suppression
from ilp_core.products.report._analyses import _Analyses, _error_text, _hot_cells
from ilp_core.products.report._content import (
    TOP_ROWS,
    Block,
    Figure,
    MapBlock,
    Section,
    Table,
    Text,
)
from ilp_core.products.report._format import (
    _band,
    _count_column,
    _Fmt,
    _suppression_note,
    _table,
)


def _where_section(a: _Analyses, fmt: _Fmt) -> Section:
    """Where: the hot-spot and change maps, their classes, the hottest cells and the districts."""
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
    cells, hidden = _class_totals(t, "gi_class", classes, incidents, fmt)
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


#: The class of cells a map never draws (a Gi* map, a change map).
_UNDRAWN: Final[frozenset[str]] = frozenset({"not_significant", "never"})


def _class_totals(
    t: pd.DataFrame, column: str, classes: list[str], incidents: list[float], fmt: _Fmt
) -> tuple[list[str], np.ndarray]:
    """The incidents of each class of a cell map as published, and the mask of those withheld.

    For wider release the map draws every cell of a class with its count (but the
    cells "not significant" or "never hot"), except the small ones: a class total
    less the cells drawn is the sum of the cells left out. So what is protected
    (primary and secondary suppression) is that unknown part of each class (all
    of an undrawn class): one cell of 2 left out of a class whose total is shown
    would be read back exactly.
    """
    if not fmt.wider:
        return [fmt.num(x) for x in incidents], np.zeros(len(incidents), dtype=bool)
    cls = t[column].astype(str).to_numpy()
    drawn = ~suppression.small_rows(t["count"], fmt.k) & ~np.isin(cls, list(_UNDRAWN))
    counts = t["count"].to_numpy(dtype=float)
    unknown = [float(counts[(cls == c) & ~drawn].sum()) for c in classes]
    hidden = suppression.suppress_counts(unknown, fmt.k, labels=classes).hidden
    cells = [
        fmt.small if 0 < x < fmt.k else fmt.withheld if h else fmt.num(x)
        for x, h in zip(incidents, hidden, strict=True)
    ]
    return cells, np.asarray(hidden, dtype=bool)


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
    cells, hidden = _class_totals(t, "change_class", classes, incidents, fmt)
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
    """When: the weekly rhythm, the moving series with their limits, trends and period changes."""
    blocks: list[Block] = [Text(fmt.t("report.when.intro"))]
    if a.rhythm is not None:
        matrix = a.rhythm.matrix()
        if fmt.wider:  # small cells, and enough others that no margin gives them back
            matrix = matrix.mask(suppression.suppress_masked(matrix.to_numpy(dtype=float), fmt.k))
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
                    f"series_{keys.safe_key(offence)}",
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
    """Near repeats: the Knox test's settings, its chart and its table of ratios."""
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
        (fmt.t("report.col.distance"), "text", [_band(v, fmt.lang) for v in ratio.index])
    ]
    for col in ratio.columns:
        columns.append(
            (
                fmt.t("report.col.days_band", band=_band(col, fmt.lang)),
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
