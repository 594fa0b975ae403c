"""The sections on the products the user typed: intelligence gaps and requirements, and strategy.

Everything in them was typed or uploaded by a user: it goes into the report as
plain text (the renderers escape it), and for wider release the intelligence
log, what is known of each problem and owners' names are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ilp_core import i18n
from ilp_core.decide import priorities
from ilp_core.errors import IlpInputError
from ilp_core.products.report._analyses import _Analyses, _shown_ranking
from ilp_core.products.report._content import PESTEL, PILLARS, SWOT, Block, Section, Table, Text
from ilp_core.products.report._format import _Fmt, _table


def _product(a: _Analyses, name: str) -> pd.DataFrame | None:
    frame = getattr(a.work, name)
    if not isinstance(frame, pd.DataFrame) or frame.empty:
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
    ranking = a.ranking
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
