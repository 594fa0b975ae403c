"""Suggestions for the control strategy: a table of rules, each citing its evidence.

Each rule of :data:`_RULE_TABLE` (a :class:`_Rule`) names the condition under
which it applies, the pillar of the control strategy it serves, and the
parameters of its two texts: the action (catalog key ``strategy.rule.<rule>.action``)
and the evidence it cites (``strategy.rule.<rule>.evidence...``). The table's
order is the order of :data:`RULES`, the order in which suggestions are shown.
Nothing enters the strategy until the user accepts it (:func:`accept_suggestions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NamedTuple

import pandas as pd
from babel.dates import get_month_names

from ilp_core import i18n
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence
from ilp_core.products.strategy._common import (
    PriorityFacts,
    listed,
    number_text,
    places,
    priority_facts,
)
from ilp_core.products.strategy._evidence import Evidence, is_near_repeat, is_seasonal
from ilp_core.products.strategy._rules import Rules, rules
from ilp_core.products.strategy._tables import Pillar, check_strategy

#: Columns of a table of suggestions (:func:`suggest_actions`).
SUGGESTION_COLUMNS: Final[tuple[str, ...]] = (
    "suggestion_id",
    "problem",
    "pillar",
    "rule",
    "action",
    "evidence",
)


class _Rule(NamedTuple):
    """One rule of the control strategy: when it applies, its pillar, and what its texts say.

    ``action`` and ``evidence`` are only called when ``condition`` holds, so they
    may rely on the evidence the condition checked.
    """

    #: The rule's name (:data:`RULES`); its texts are ``strategy.rule.<name>.*``.
    name: str
    #: The pillar of the control strategy the action serves.
    pillar: Pillar
    #: Whether the rule applies to a priority.
    condition: Callable[[PriorityFacts], bool]
    #: Parameters of the action's text ``strategy.rule.<name>.action``.
    action: Callable[[PriorityFacts], dict[str, Any]]
    #: Key of the evidence's text under ``strategy.rule.<name>.``, and its parameters.
    evidence: Callable[[PriorityFacts], tuple[str, dict[str, Any]]]


class _Suggestion(NamedTuple):
    """A rule that applies to a priority, with its texts in the user's language."""

    rule: str
    pillar: Pillar
    action: str
    evidence: str


def _naming_the_problem(facts: PriorityFacts) -> dict[str, Any]:
    """Parameters of an action whose text only names the problem."""
    return {"problem": facts.name}


# -- hotspot_patrol: persistent hot spots; patrols of 10-15 minutes there (Koper, 1995) ----------


def _has_persistent_hotspots(facts: PriorityFacts) -> bool:
    ev = facts.evidence
    return ev is not None and ev.n_persistent >= int(facts.cfg.hotspots["min_persistent_cells"])


def _patrol_action(facts: PriorityFacts) -> dict[str, Any]:
    ev = facts.evidence
    low, high = facts.cfg.hotspots["patrol_minutes"]
    return {
        "low": low,
        "high": high,
        "cells": listed(ev.persistent_cells),
        "districts": places(ev.persistent_districts, facts.lang) or "-",
    }


def _cite_hotspots(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    ev = facts.evidence
    return "evidence", {
        "n": ev.n_persistent,
        "size": number_text(ev.cell_size, facts.lang),
        "days": ev.period_days,
        "cells": listed(ev.persistent_cells),
        "districts": places(ev.persistent_districts, facts.lang) or "-",
    }


# -- near_repeat: the Knox test shows a short-lived risk near each event; cocoon watch ------------


def _shows_near_repeats(facts: PriorityFacts) -> bool:
    return facts.evidence is not None and is_near_repeat(facts.evidence, facts.cfg)


def _cocoon_action(facts: PriorityFacts) -> dict[str, Any]:
    nr = facts.cfg.near_repeat
    return {"problem": facts.name, "distance": nr["distance_m"], "days": nr["days"]}


def _cite_knox(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    ev, nr, lang = facts.evidence, facts.cfg.near_repeat, facts.lang
    return "evidence" if ev.knox_sample_share >= 1.0 else "evidence_sampled", {
        "total": ev.knox_window_incidents,
        "ratio": number_text(ev.knox_ratio, lang, 2),
        "p": number_text(ev.knox_p, lang, 3),
        "after": number_text(ev.knox_ratio_after, lang, 2),
        "distance": nr["distance_m"],
        "days": nr["days"],
        "events": ev.knox_events,
        "window": nr["window_days"],
    }


# -- repeat_locations: the top locations hold a large share; target-harden them ------------------


def _has_repeat_locations(facts: PriorityFacts) -> bool:
    ev = facts.evidence
    return (
        ev is not None
        and bool(ev.repeat_locations)
        and ev.repeat_share >= float(facts.cfg.repeat_locations["min_share"])
    )


def _harden_action(facts: PriorityFacts) -> dict[str, Any]:
    top = facts.evidence.repeat_locations[: int(facts.cfg.repeat_locations["listed"])]
    return {"locations": listed(top)}


def _cite_repeat_share(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    ev = facts.evidence
    return "evidence", {
        "top": len(ev.repeat_locations),
        "share": i18n.percent(ev.repeat_share, facts.lang),
        "count": ev.repeat_count,
    }


# -- seasonal: strong seasonality; a campaign before the season -----------------------------------


def _has_season(facts: PriorityFacts) -> bool:
    return facts.evidence is not None and is_seasonal(facts.evidence, facts.cfg)


def _months(lang: str) -> Mapping[int, str]:
    return get_month_names("wide", locale=lang, context="stand-alone")


def _campaign_action(facts: PriorityFacts) -> dict[str, Any]:
    return {"month": _months(facts.lang)[facts.evidence.season_start], "problem": facts.name}


def _cite_season(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    ev, months = facts.evidence, _months(facts.lang)
    return "evidence", {
        "peak": months[ev.season_peak_month],
        "share": i18n.percent(ev.season_peak_index - 1.0, facts.lang),
        "start": months[ev.season_start],
        "end": months[ev.season_end],
    }


# -- emerging_hotspot: cells hot only recently; find out what drives them -------------------------


def _has_emerging_hotspots(facts: PriorityFacts) -> bool:
    return facts.evidence is not None and facts.evidence.n_emerging > 0


def _emerging_action(facts: PriorityFacts) -> dict[str, Any]:
    ev = facts.evidence
    return {
        "cells": listed(ev.emerging_cells),
        "districts": places(ev.emerging_districts, facts.lang) or "-",
    }


def _cite_emerging(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    return "evidence", {"n": facts.evidence.n_emerging, **_emerging_action(facts)}


# -- weak_information: the log holds no graded item, or mostly weak ones; review coverage --------


def _rests_on_weak_information(facts: PriorityFacts) -> bool:
    return facts.log is not None and bool(facts.log.reason)


def _cite_log(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    log = facts.log
    return f"evidence.{log.reason}", {"n_items": log.n_items, "n_weak": log.n_weak}


# -- knowledge_gap: a large knowledge gap was assessed; commission a problem profile -------------


def _knowledge(facts: PriorityFacts) -> float | None:
    return facts.position.get("position_knowledge")


def _has_knowledge_gap(facts: PriorityFacts) -> bool:
    knowledge = _knowledge(facts)
    return knowledge is not None and knowledge >= float(facts.cfg.position["large_gap"])


def _cite_knowledge(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    return "evidence", {"value": number_text(_knowledge(facts), facts.lang, 1)}


# -- rising_trend: a significant rising trend; targeted enforcement ------------------------------


def _is_rising(facts: PriorityFacts) -> bool:
    rising = str(getattr(facts.row, "trend_direction", "")) == "rising"
    return rising and facts.value("trend") >= float(facts.cfg.trend["min_rising_pct"])


def _cite_trend(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    return "evidence", {"trend": number_text(facts.value("trend"), facts.lang)}


# -- reassurance: persistent hot spots or high public concern; tell the community ---------------


def _needs_reassurance(facts: PriorityFacts) -> bool:
    concern = facts.value("public_concern")
    return _has_persistent_hotspots(facts) or concern >= float(
        facts.cfg.position["public_concern_high"]
    )


def _hotspot_places(facts: PriorityFacts) -> str:
    """The persistent hot spots' districts, when they are enough for the patrol rule."""
    if not _has_persistent_hotspots(facts):
        return ""
    return places(facts.evidence.persistent_districts, facts.lang)


def _reassure_action(facts: PriorityFacts) -> dict[str, Any]:
    return {"problem": facts.name, "districts": _hotspot_places(facts) or "-"}


def _cite_hotspots_or_concern(facts: PriorityFacts) -> tuple[str, dict[str, Any]]:
    where = _hotspot_places(facts)
    if where:
        return "evidence.hotspots", {"districts": where}
    return "evidence.concern", {"value": number_text(facts.value("public_concern"), facts.lang, 1)}


#: The rules, in the order their suggestions are shown.
_RULE_TABLE: Final[tuple[_Rule, ...]] = (
    _Rule(
        name="hotspot_patrol",
        pillar="prevention",
        condition=_has_persistent_hotspots,
        action=_patrol_action,
        evidence=_cite_hotspots,
    ),
    _Rule(
        name="near_repeat",
        pillar="prevention",
        condition=_shows_near_repeats,
        action=_cocoon_action,
        evidence=_cite_knox,
    ),
    _Rule(
        name="repeat_locations",
        pillar="prevention",
        condition=_has_repeat_locations,
        action=_harden_action,
        evidence=_cite_repeat_share,
    ),
    _Rule(
        name="seasonal",
        pillar="prevention",
        condition=_has_season,
        action=_campaign_action,
        evidence=_cite_season,
    ),
    _Rule(
        name="emerging_hotspot",
        pillar="intelligence",
        condition=_has_emerging_hotspots,
        action=_emerging_action,
        evidence=_cite_emerging,
    ),
    _Rule(
        name="weak_information",
        pillar="intelligence",
        condition=_rests_on_weak_information,
        action=_naming_the_problem,
        evidence=_cite_log,
    ),
    _Rule(
        name="knowledge_gap",
        pillar="intelligence",
        condition=_has_knowledge_gap,
        action=_naming_the_problem,
        evidence=_cite_knowledge,
    ),
    _Rule(
        name="rising_trend",
        pillar="enforcement",
        condition=_is_rising,
        action=_naming_the_problem,
        evidence=_cite_trend,
    ),
    _Rule(
        name="reassurance",
        pillar="reassurance",
        condition=_needs_reassurance,
        action=_reassure_action,
        evidence=_cite_hotspots_or_concern,
    ),
)

#: The rules that make suggestions, in the order they are shown.
RULES: Final[tuple[str, ...]] = tuple(rule.name for rule in _RULE_TABLE)


def _suggestions_for(facts: PriorityFacts) -> list[_Suggestion]:
    """Walk the rule table: every rule that applies writes its action and cites its evidence."""

    def say(key: str, params: Mapping[str, Any]) -> str:
        return i18n.t(f"strategy.rule.{key}", facts.lang, **params)

    found = []
    for rule in _RULE_TABLE:
        if rule.condition(facts):
            key, params = rule.evidence(facts)
            action = say(f"{rule.name}.action", rule.action(facts))
            found.append(
                _Suggestion(rule.name, rule.pillar, action, say(f"{rule.name}.{key}", params))
            )
    return found


def suggest_actions(
    ranking_table: pd.DataFrame,
    evidence: Mapping[str, Evidence] | None = None,
    summary: intelligence.LogSummary | None = None,
    *,
    position: Mapping[str, Mapping[str, float]] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    cfg: Rules | None = None,
) -> pd.DataFrame:
    """Propose control-strategy actions for the priorities, each citing its evidence.

    The rules (thresholds in ``strategy.yaml``):

    * ``hotspot_patrol`` (prevention): persistent hot spots: patrols of 10-15
      minutes in the listed cells (Koper, 1995);
    * ``near_repeat`` (prevention): the Knox test shows near repeats: cocoon
      watch, warn neighbours within the distance for the days tested;
    * ``repeat_locations`` (prevention): the top locations hold a large share of
      the incidents: target-harden them;
    * ``seasonal`` (prevention): strong seasonality: a campaign before the season;
    * ``emerging_hotspot`` (intelligence): emerging hot spots: find out what
      drives them;
    * ``weak_information`` (intelligence): the priority rests mostly on weak
      information or on none: review intelligence coverage;
    * ``knowledge_gap`` (intelligence): a large knowledge gap was assessed:
      commission a problem profile;
    * ``rising_trend`` (enforcement): a significant rising trend: targeted
      enforcement and offender management;
    * ``reassurance`` (reassurance): persistent hot spots or high public concern:
      tell the community what is done.

    Parameters
    ----------
    ranking_table
        The priorities (``priority.Ranking.table``, or its rows in scope).
    evidence
        ``{problem: Evidence}`` from :func:`problem_evidence` (problems without
        evidence get only the rules that do not need it).
    summary
        The intelligence log's summary (:func:`ilp_core.products.intelligence.summarise`).
    position
        ``{problem: {criterion: value}}`` of the organisation's position as
        assessed (0-4: ``position_knowledge``, ``position_capacity``,
        ``position_capability``; :func:`position_values`), only for the values
        that were assessed.
    lang
        Language of the texts.

    Returns
    -------
    pandas.DataFrame
        :data:`SUGGESTION_COLUMNS`, one row per suggestion, in the ranking's order
        then the order of :data:`RULES`; ``suggestion_id`` is ``"<rule>|<problem>"``.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Burglary"], "kind": ["offence"]})
    >>> ev = {"Burglary": Evidence("Burglary", 500, knox_ratio=2.1, knox_p=0.01,
    ...                            knox_ratio_after=1.0, knox_p_after=0.6, knox_events=250)}
    >>> suggest_actions(t, ev)["rule"].tolist()
    ['near_repeat']
    """
    cfg = cfg or rules()
    rows = [
        (f"{s.rule}|{facts.problem}", facts.problem, s.pillar, s.rule, s.action, s.evidence)
        for facts in priority_facts(ranking_table, evidence, summary, position, lang, cfg)
        for s in _suggestions_for(facts)
    ]
    out = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    return out.astype(dict.fromkeys(SUGGESTION_COLUMNS, "str"))


def accept_suggestions(
    strategy: pd.DataFrame, suggestions: pd.DataFrame, ids: Sequence[str], owner: str = ""
) -> pd.DataFrame:
    """Add the chosen suggestions to the control strategy, marked ``suggested`` (a new table).

    A suggestion already in the strategy (same problem, pillar and action) is not
    added twice.

    Parameters
    ----------
    strategy
        The current control strategy (:data:`STRATEGY_COLUMNS`).
    suggestions
        Output of :func:`suggest_actions`.
    ids
        The ``suggestion_id`` values the user accepted.
    owner
        Owner given to the new rows (the user edits it afterwards).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    IlpInputError
        ``strategy.unknown_suggestion`` for an id that is not among the suggestions.

    Examples
    --------
    >>> s = pd.DataFrame({"suggestion_id": ["near_repeat|Burglary"], "problem": ["Burglary"],
    ...     "pillar": ["prevention"], "rule": ["near_repeat"], "action": ["Cocoon watch"],
    ...     "evidence": ["Knox"]})
    >>> from ilp_core.products.strategy import empty_strategy
    >>> out = accept_suggestions(empty_strategy(), s, ["near_repeat|Burglary"])
    >>> out[["problem", "pillar", "suggested"]].values.tolist()
    [['Burglary', 'prevention', True]]
    """
    current = check_strategy(strategy)
    known = set(suggestions["suggestion_id"])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise IlpInputError("strategy.unknown_suggestion", value=str(unknown[0]))
    have = set(zip(current["problem"], current["pillar"], current["action"], strict=True))
    chosen = suggestions[suggestions["suggestion_id"].isin(list(ids))]
    new = [
        {"problem": p, "pillar": pl, "action": a, "owner": owner, "suggested": True}
        for p, pl, a in zip(chosen["problem"], chosen["pillar"], chosen["action"], strict=True)
        if (p, pl, a) not in have
    ]
    if not new:
        return current
    return check_strategy(pd.concat([current, pd.DataFrame(new)], ignore_index=True))


def suggestions_for_display(
    suggestions: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """Return the suggestions with problem and pillar names and headers in ``lang``.

    Examples
    --------
    >>> s = pd.DataFrame({"suggestion_id": ["near_repeat|Burglary"], "problem": ["Burglary"],
    ...     "pillar": ["prevention"], "rule": ["near_repeat"], "action": ["Cocoon watch"],
    ...     "evidence": ["Knox"]})
    >>> suggestions_for_display(s, "fr").columns.tolist()
    ['Priorité', 'Volet', 'Action proposée', 'Éléments à l’appui']
    """
    out = pd.DataFrame(
        {
            "problem": [i18n.term(p, lang) for p in suggestions["problem"]],
            "pillar": [i18n.t(f"strategy.pillar.{p}", lang) for p in suggestions["pillar"]],
            "action": suggestions["action"].to_numpy(),
            "evidence": suggestions["evidence"].to_numpy(),
        }
    )
    return out.rename(columns=lambda c: i18n.t(f"strategy.suggestion_col.{c}", lang))
