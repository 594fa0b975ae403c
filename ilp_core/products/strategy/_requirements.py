"""Intelligence requirements: drafted from the data, merged with the analyst's own.

:func:`draft_requirements` writes, for each priority, three texts, each the
sentences of a row of small steps: what is known (:data:`_WHAT_IS_KNOWN`), the
gaps (:data:`_GAPS`: knowledge, capacity and capability, intelligence) and what
must be found out (:data:`_WHAT_TO_FIND_OUT`). :func:`merge_requirements` adds
the drafts of the problems the analyst has not written yet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import pandas as pd

from ilp_core import i18n
from ilp_core.products import intelligence
from ilp_core.products.strategy._common import (
    PriorityFacts,
    listed,
    number_text,
    places,
    priority_facts,
)
from ilp_core.products.strategy._evidence import Evidence, is_near_repeat
from ilp_core.products.strategy._rules import Rules, rules
from ilp_core.products.strategy._tables import REQUIREMENT_COLUMNS, check_requirements

#: One step of a draft: the sentences it adds for a priority (none when it has nothing to say).
_Step = Callable[[PriorityFacts], list[str]]

#: Tiers that have a name in the catalog (``strategy.tier.<tier>``).
_TIERS: Final[tuple[str, ...]] = ("high", "medium", "low")


def merge_requirements(current: pd.DataFrame, draft: pd.DataFrame) -> pd.DataFrame:
    """Add the drafted requirements of the problems that have none yet (the user's rows stay).

    Examples
    --------
    >>> mine = pd.DataFrame({"problem": ["Robbery"], "known": ["k"], "gap": ["g"],
    ...     "requirement": ["mine"], "owner": ["DI Smith"], "due": [None], "status": ["open"]})
    >>> draft = pd.concat([mine.assign(requirement="draft"), mine.assign(problem="Homicide")])
    >>> merge_requirements(mine, draft)[["problem", "requirement"]].values.tolist()
    [['Robbery', 'mine'], ['Homicide', 'mine']]
    """
    current, draft = check_requirements(current), check_requirements(draft)
    new = draft[~draft["problem"].isin(set(current["problem"]))]
    if not len(new):
        return current
    return check_requirements(pd.concat([current, new], ignore_index=True))


def draft_requirements(
    ranking_table: pd.DataFrame,
    summary: intelligence.LogSummary | None = None,
    *,
    evidence: Mapping[str, Evidence] | None = None,
    position: Mapping[str, Mapping[str, float]] | None = None,
    today: dt.date | None = None,
    owner: str = "",
    lang: str = i18n.DEFAULT_LANGUAGE,
    cfg: Rules | None = None,
) -> pd.DataFrame:
    """Draft the intelligence requirements of the priorities from the data, for the analyst to edit.

    For each priority: what is known (incidents, trend, harm, tier; the hot spots
    and near repeats found; the graded items), the gap (the organisation's
    knowledge gap as assessed, or that it was not assessed; the weak or missing
    intelligence), and what must be found out, due ``due_days`` from ``today``.

    Parameters
    ----------
    ranking_table
        The priorities in scope (``priority.Ranking.table`` rows).
    summary
        The intelligence log's summary.
    evidence
        ``{problem: Evidence}`` (optional).
    position
        ``{problem: {criterion: value}}`` of the organisation's position as
        assessed (:func:`position_values`); knowledge, capacity and capability
        gaps at or above ``large_gap`` are named.
    today
        Date the deadlines count from (default: today).
    owner
        Owner of every drafted requirement.
    lang
        Language of the drafted text.

    Returns
    -------
    pandas.DataFrame
        :data:`REQUIREMENT_COLUMNS`, status ``open``.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Robbery"], "kind": ["offence"], "offence": ["Robbery"],
    ...     "district": [None], "rank": [3], "tier": ["high"], "volume": [2000.0],
    ...     "trend": [1.5], "trend_direction": ["no trend"], "harm": [730000.0]})
    >>> d = draft_requirements(t, position={"Robbery": {"position_knowledge": 4.0}},
    ...                        today=dt.date(2026, 1, 5))
    >>> d.loc[0, "due"], d.loc[0, "status"]
    (datetime.date(2026, 4, 5), 'open')
    >>> print(d.loc[0, "gap"])  # doctest: +ELLIPSIS
    The organisation's knowledge of this problem was assessed as a large gap (4 of 4)...
    """
    cfg = cfg or rules()
    cfg = cfg or rules()
    today = today or dt.date.today()
    due = today + dt.timedelta(days=int(cfg.requirements["due_days"]))
    rows = [
        {
            "problem": facts.problem,
            "known": _sentences(facts, _WHAT_IS_KNOWN),
            "gap": _sentences(facts, _GAPS),
            "requirement": _sentences(facts, _WHAT_TO_FIND_OUT),
            "owner": owner,
            "due": due,
            "status": "open",
        }
        for facts in priority_facts(ranking_table, evidence, summary, position, lang, cfg)
    ]
    return check_requirements(pd.DataFrame(rows, columns=list(REQUIREMENT_COLUMNS)))


def _sentences(facts: PriorityFacts, steps: tuple[_Step, ...]) -> str:
    return " ".join(sentence for step in steps for sentence in step(facts))


def _say(facts: PriorityFacts, key: str, **params: Any) -> str:
    return i18n.t(f"strategy.draft.{key}", facts.lang, **params)


def _log_flag(facts: PriorityFacts) -> str:
    """Why the intelligence log flags the priority (``no_items`` when the log says nothing)."""
    return facts.log.reason if facts.log is not None else "no_items"


# -- what is known ------------------------------------------------------------------------------


def _known_volume(facts: PriorityFacts) -> list[str]:
    """Incidents, rank and tier of the priority assessment."""
    volume, rank = facts.value("volume"), facts.value("rank")
    tier = getattr(facts.row, "tier", None)
    return [
        _say(
            facts,
            "known_volume",
            n=int(volume) if math.isfinite(volume) else 0,
            rank=int(rank) if math.isfinite(rank) else 0,
            tier=i18n.t(f"strategy.tier.{tier}", facts.lang) if tier in _TIERS else "-",
        )
    ]


def _known_trend(facts: PriorityFacts) -> list[str]:
    """The trend and its direction (Mann-Kendall), when the assessment measured one."""
    trend = facts.value("trend")
    if not math.isfinite(trend):
        return []
    direction = str(getattr(facts.row, "trend_direction", "") or "no_clear_trend")
    key = f"strategy.direction.{direction}"
    named = i18n.t(key, facts.lang) if i18n.has(key, facts.lang) else direction
    return [_say(facts, "known_trend", trend=number_text(trend, facts.lang), direction=named)]


def _known_hotspots(facts: PriorityFacts) -> list[str]:
    """The persistent hot spots found, and their districts."""
    ev = facts.evidence
    if ev is None or not ev.n_persistent:
        return []
    districts = places(ev.persistent_districts, facts.lang) or "-"
    return [_say(facts, "known_hotspots", n=ev.n_persistent, districts=districts)]


def _known_near_repeats(facts: PriorityFacts) -> list[str]:
    """The near repeats the Knox test found."""
    ev, nr = facts.evidence, facts.cfg.near_repeat
    if ev is None or not is_near_repeat(ev, facts.cfg):
        return []
    ratio = number_text(ev.knox_ratio, facts.lang, 1)
    return [
        _say(facts, "known_near_repeat", distance=nr["distance_m"], days=nr["days"], ratio=ratio)
    ]


def _known_items(facts: PriorityFacts) -> list[str]:
    """The graded intelligence items of the log, and how many are weak."""
    if facts.log is None or not facts.log.n_items:
        return []
    return [_say(facts, "known_items", n=facts.log.n_items, weak=facts.log.n_weak)]


_WHAT_IS_KNOWN: Final[tuple[_Step, ...]] = (
    _known_volume,
    _known_trend,
    _known_hotspots,
    _known_near_repeats,
    _known_items,
)


# -- the gaps -------------------------------------------------------------------------------------


def _knowledge_gap(facts: PriorityFacts) -> list[str]:
    """The organisation's knowledge of the problem as assessed (0-4), or that it was not."""
    value = facts.position.get("position_knowledge")
    pos = facts.cfg.position
    if value is None:
        return [_say(facts, "gap_not_assessed")]
    if value >= float(pos["large_gap"]):
        key = "gap_large"
    elif value <= float(pos["small_gap"]):
        key = "gap_small"
    else:
        key = "gap_some"
    return [_say(facts, key, value=number_text(value, facts.lang))]


def _capacity_gaps(facts: PriorityFacts) -> list[str]:
    """Capacity and capability gaps assessed as large."""
    large = float(facts.cfg.position["large_gap"])
    out = []
    for criterion, key in (
        ("position_capacity", "gap_capacity"),
        ("position_capability", "gap_capability"),
    ):
        value = facts.position.get(criterion)
        if value is not None and value >= large:
            out.append(_say(facts, key, value=number_text(value, facts.lang)))
    return out


def _intelligence_gap(facts: PriorityFacts) -> list[str]:
    """No graded item in the log, or mostly weak ones."""
    flag = _log_flag(facts)
    if flag == "no_items":
        return [_say(facts, "gap_no_items")]
    if flag == "mostly_weak":
        return [_say(facts, "gap_weak", n=facts.log.n_items, weak=facts.log.n_weak)]
    return []


_GAPS: Final[tuple[_Step, ...]] = (_knowledge_gap, _capacity_gaps, _intelligence_gap)


# -- what must be found out ------------------------------------------------------------------------


def _ask_profile(facts: PriorityFacts) -> list[str]:
    """Who offends, against whom, where, when and how: asked of every priority."""
    return [_say(facts, "requirement_base", problem=facts.name)]


def _ask_hotspots(facts: PriorityFacts) -> list[str]:
    """What makes the persistent hot-spot cells attractive."""
    ev = facts.evidence
    if ev is None or not ev.n_persistent:
        return []
    return [_say(facts, "requirement_hotspots", cells=listed(ev.persistent_cells))]


def _ask_emerging(facts: PriorityFacts) -> list[str]:
    """What drives the emerging hot spots."""
    ev = facts.evidence
    if ev is None or not ev.n_emerging:
        return []
    return [_say(facts, "requirement_emerging", cells=listed(ev.emerging_cells))]


def _ask_corroboration(facts: PriorityFacts) -> list[str]:
    """Independent, graded sources, when the log flags the priority."""
    return [_say(facts, "requirement_corroborate")] if _log_flag(facts) else []


_WHAT_TO_FIND_OUT: Final[tuple[_Step, ...]] = (
    _ask_profile,
    _ask_hotspots,
    _ask_emerging,
    _ask_corroboration,
)
