"""What the suggestions and the drafted requirements share: one priority's facts, its wording.

:func:`priority_facts` walks a ranking table and gathers, for each priority, its
row, its name in the user's language, its evidence, what the intelligence log
says of it and its assessed position (:class:`PriorityFacts`); the rules of
:mod:`._suggestions` and the steps of :mod:`._requirements` read only that.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from ilp_core import i18n
from ilp_core.products import intelligence
from ilp_core.products.strategy._evidence import Evidence
from ilp_core.products.strategy._rules import Rules


class LogFacts(NamedTuple):
    """What the intelligence log says of a priority (a row of ``LogSummary.per_problem``)."""

    #: Why the log flags it (``no_items``, ``mostly_weak``; empty: not flagged).
    reason: str
    #: Graded items about it, and how many of them are weak.
    n_items: int
    n_weak: int


@dataclass(frozen=True)
class PriorityFacts:
    """One priority as the rules and the drafts see it.

    Attributes
    ----------
    problem
        The priority's id in the ranking (``problem``).
    name
        Its name in ``lang`` (offence and district translated).
    row
        Its row of the ranking table (``trend``, ``public_concern``, ``rank``...).
    evidence
        What the analyses say of it (None: not computed).
    log
        What the intelligence log says of it (None: no summary, or not in it).
    position
        The organisation's position as assessed (``position_knowledge``...), only
        the values that were assessed.
    lang, cfg
        Language of the texts, thresholds.
    """

    problem: str
    name: str
    row: Any
    evidence: Evidence | None
    log: LogFacts | None
    position: Mapping[str, float]
    lang: str
    cfg: Rules

    def value(self, column: str) -> float:
        """The row's number in ``column`` (NaN when missing or not a number)."""
        return row_value(self.row, column)


def priority_facts(
    ranking_table: pd.DataFrame,
    evidence: Mapping[str, Evidence] | None,
    summary: intelligence.LogSummary | None,
    position: Mapping[str, Mapping[str, float]] | None,
    lang: str,
    cfg: Rules,
) -> Iterator[PriorityFacts]:
    """Yield the facts of each priority of ``ranking_table``, in the ranking's order."""
    evidence = evidence or {}
    position = position or {}
    logs = {}
    if summary is not None:
        logs = {
            str(r.problem): LogFacts(str(r.flag_reason), int(r.n_items), int(r.n_weak))
            for r in summary.per_problem.itertuples(index=False)
        }
    for row in ranking_table.itertuples(index=False):
        problem = str(row.problem)
        yield PriorityFacts(
            problem=problem,
            name=problem_name(row, lang),
            row=row,
            evidence=evidence.get(problem),
            log=logs.get(problem),
            position=position.get(problem) or {},
            lang=lang,
            cfg=cfg,
        )


def problem_name(row: Any, lang: str) -> str:
    """The problem's name for a text: its offence (and district) translated, or as written."""
    kind = getattr(row, "kind", None)
    offence = getattr(row, "offence", None)
    district = getattr(row, "district", None)
    if kind == "offence":
        return i18n.term(offence, lang)
    if kind == "offence_district":
        return f"{i18n.term(offence, lang)} · {i18n.term(district, lang)}"
    return str(row.problem)


def row_value(row: Any, name: str) -> float:
    """A ranking row's number in column ``name`` (NaN when missing or not a number)."""
    value = getattr(row, name, math.nan)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value


def number_text(value: float, lang: str, decimals: int = 0) -> str:
    """A number written for ``lang``; ``-`` when it is missing."""
    if not math.isfinite(value):
        return "-"
    return i18n.number(value, lang, decimals)


def listed(values: Any) -> str:
    """Values joined for a text (``1, 2, 3``)."""
    return ", ".join(str(v) for v in values)


def places(districts: Any, lang: str) -> str:
    """District names translated and joined for a text (empty when there are none)."""
    return ", ".join(i18n.term(d, lang) for d in districts)
