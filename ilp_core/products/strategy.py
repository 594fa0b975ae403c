"""Intelligence requirements, the control strategy, PESTEL and SWOT: the products of ILP.

The strategic assessment ranks the problems; this module turns its priorities into
the documents that drive tasking and co-ordination (OSCE, 2017):

* **intelligence requirements** (:data:`REQUIREMENT_COLUMNS`): for each priority,
  what is known, the intelligence gap and what must be found out, by whom and by
  when. :func:`draft_requirements` pre-fills a draft from the ranking (volume,
  trend, harm, the organisation's knowledge gap) and the intelligence log
  (:func:`ilp_core.products.intelligence.summarise`); the analyst edits it;
* the **control strategy** (:data:`STRATEGY_COLUMNS`): actions under prevention,
  intelligence, enforcement and reassurance. :func:`suggest_actions` proposes
  actions from the analyses, each citing its evidence (:func:`problem_evidence`:
  persistent and emerging hot spots, the Knox near-repeat test, repeat locations,
  seasonality); nothing enters the strategy until the user accepts it
  (:func:`accept_suggestions`);
* **PESTEL** and **SWOT** factors (:data:`PESTEL_COLUMNS`, :data:`SWOT_COLUMNS`),
  each linked to the priorities it affects (:func:`factor_links`).

Rules and thresholds live in ``ilp_core/config/strategy.yaml``. Every product
carries the reminder (catalog key :data:`REMINDER_KEY`) that rankings and
allocations are decision support built on recorded crime, not instructions.

References
----------
OSCE (2017). *OSCE Guidebook: Intelligence-Led Policing*, chapters on the strategic
assessment, the control strategy and intelligence requirements.
Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
behavior by optimizing patrol time in crime hot spots. *Justice Quarterly*, 12(4).
Johnson, S. D., Bowers, K. J. (2004). The burglary as clue to the future: the
beginnings of prospective hot-spotting. *European Journal of Criminology*, 1(2).
Farrell, G., Pease, K. (1993). *Once bitten, twice bitten: repeat victimisation and
its implications for crime prevention*. Home Office Police Research Group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import yaml
from babel.dates import get_month_names

from ilp_core import i18n
from ilp_core.analysis import hotspots, near_repeat, temporal
from ilp_core.data import geo
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import intelligence

Pillar = Literal["prevention", "intelligence", "enforcement", "reassurance"]
Status = Literal["open", "in_progress", "closed"]
PestelCategory = Literal[
    "political", "economic", "social", "technological", "environmental", "legal"
]
SwotQuadrant = Literal["strengths", "weaknesses", "opportunities", "threats"]
Impact = Literal["low", "medium", "high"]

PILLARS: Final[tuple[str, ...]] = get_args(Pillar)
STATUSES: Final[tuple[str, ...]] = get_args(Status)
PESTEL_CATEGORIES: Final[tuple[str, ...]] = get_args(PestelCategory)
SWOT_QUADRANTS: Final[tuple[str, ...]] = get_args(SwotQuadrant)
IMPACTS: Final[tuple[str, ...]] = get_args(Impact)

#: Columns of the intelligence requirements (``ilp.requirements``), stable API.
REQUIREMENT_COLUMNS: Final[tuple[str, ...]] = (
    "problem",
    "known",
    "gap",
    "requirement",
    "owner",
    "due",
    "status",
)
#: Columns of the control strategy (``ilp.strategy``), stable API.
STRATEGY_COLUMNS: Final[tuple[str, ...]] = ("problem", "pillar", "action", "owner", "suggested")
#: Columns of the PESTEL table (``ilp.pestel``), stable API.
PESTEL_COLUMNS: Final[tuple[str, ...]] = ("category", "factor", "problems", "impact")
#: Columns of the SWOT table (``ilp.swot``), stable API.
SWOT_COLUMNS: Final[tuple[str, ...]] = ("quadrant", "factor", "problems")
#: Columns of a table of suggestions (:func:`suggest_actions`).
SUGGESTION_COLUMNS: Final[tuple[str, ...]] = (
    "suggestion_id",
    "problem",
    "pillar",
    "rule",
    "action",
    "evidence",
)
#: The rules that make suggestions, in the order they are shown.
RULES: Final[tuple[str, ...]] = (
    "hotspot_patrol",
    "near_repeat",
    "repeat_locations",
    "seasonal",
    "emerging_hotspot",
    "weak_information",
    "knowledge_gap",
    "rising_trend",
    "reassurance",
)
#: Catalog key of the reminder every product and report carries.
REMINDER_KEY: Final[str] = "strategy.reminder"


# --------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The thresholds of ``strategy.yaml`` (see that file for what each one means)."""

    hotspots: Mapping[str, Any]
    near_repeat: Mapping[str, Any]
    repeat_locations: Mapping[str, Any]
    seasonality: Mapping[str, Any]
    trend: Mapping[str, Any]
    position: Mapping[str, Any]
    requirements: Mapping[str, Any]


def rules(path: str | Path | None = None) -> Rules:
    """Return the rules' thresholds (the bundled ``strategy.yaml`` by default).

    Raises
    ------
    IlpInputError
        ``strategy.config_broken`` naming the part missing.

    Examples
    --------
    >>> rules().near_repeat["distance_m"], rules().near_repeat["days"]
    (200, 14)
    """
    if path is None:
        return _bundled_rules()
    return _parse_rules(Path(path).read_text(encoding="utf-8"))


@cache
def _bundled_rules() -> Rules:
    text = (resources.files("ilp_core") / "config" / "strategy.yaml").read_text(encoding="utf-8")
    return _parse_rules(text)


def _parse_rules(text: str) -> Rules:
    part = "yaml"
    try:
        data = yaml.safe_load(text)
        blocks = {}
        for part in (
            "hotspots",
            "near_repeat",
            "repeat_locations",
            "seasonality",
            "trend",
            "position",
            "requirements",
        ):
            block = data[part]
            if not isinstance(block, Mapping):
                raise TypeError(part)
            blocks[part] = dict(block)
    except (KeyError, TypeError, AttributeError, yaml.YAMLError):
        raise IlpInputError("strategy.config_broken", part=part) from None
    return Rules(**blocks)


# --------------------------------------------------------------------------------------
# Evidence from the analyses
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What the analyses say about one priority: the facts the suggestions cite.

    Attributes
    ----------
    n_incidents
        Incidents of the problem in view.
    cell_size, period_days
        Grid cell size (metres; NaN when not run) and period length (days) of the
        hot-spot analysis.
    persistent_cells, emerging_cells
        Cell ids (``hotspots.hotspot_change``) of persistent and emerging hot spots,
        most incidents first (at most ``cells_listed``), and ``n_persistent``,
        ``n_emerging`` cells in all (emerging: hot in every recent period, with at
        least ``emerging_min_incidents`` incidents).
    persistent_districts, emerging_districts
        Districts containing those cells (centre point in the polygon).
    persistent_points
        ``(lat, lon)`` of the listed persistent cells' centres.
    knox_ratio, knox_p, knox_ratio_after, knox_p_after, knox_events
        Knox test within the distance and days of ``strategy.yaml``, then in the
        next ``days``, and the events tested (NaN / 0 when not run).
    knox_window_incidents, knox_sample_share
        Incidents of the test's window, and the chance each had to be tested: below
        1 when they held more than ``max_pairs`` close pairs, and a random subset
        was tested (``strategy.yaml``).
    repeat_locations, repeat_share, repeat_count
        The top locations (ids), the share of the problem's located incidents they
        hold, and their incidents.
    season_peak_month, season_peak_index, season_start, season_end
        Peak month (1-12) and its seasonal index, and the first and last month of
        the season around it (0 when not computed).
    notes
        Analyses that could not run, with the reason.
    """

    problem: str
    n_incidents: int
    cell_size: float = math.nan
    period_days: int = 0
    n_persistent: int = 0
    persistent_cells: tuple[int, ...] = ()
    persistent_districts: tuple[str, ...] = ()
    persistent_points: tuple[tuple[float, float], ...] = ()
    n_emerging: int = 0
    emerging_cells: tuple[int, ...] = ()
    emerging_districts: tuple[str, ...] = ()
    knox_ratio: float = math.nan
    knox_p: float = math.nan
    knox_ratio_after: float = math.nan
    knox_p_after: float = math.nan
    knox_events: int = 0
    knox_window_incidents: int = 0
    knox_sample_share: float = 1.0
    repeat_locations: tuple[str, ...] = ()
    repeat_share: float = 0.0
    repeat_count: int = 0
    season_peak_month: int = 0
    season_peak_index: float = math.nan
    season_start: int = 0
    season_end: int = 0
    notes: tuple[Message, ...] = field(default_factory=tuple)


def problem_selection(
    ranking_table: pd.DataFrame, custom: Sequence[Mapping[str, Any]] = ()
) -> dict[str, dict[str, list[str]]]:
    """Return, for each ranked problem, the offences and districts its incidents come from.

    Parameters
    ----------
    ranking_table
        ``priority.Ranking.table`` (``problem``, ``kind``, ``offence``, ``district``).
    custom
        Analyst-defined problems (``name``, ``offences``, ``districts``).

    Returns
    -------
    dict
        ``{problem: {"offences": [...], "districts": [...]}}`` (empty lists: all);
        a custom problem without a definition is left out.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Robbery", "Robbery | Docklands"],
    ...     "kind": ["offence", "offence_district"], "offence": ["Robbery", "Robbery"],
    ...     "district": [None, "Docklands"]})
    >>> problem_selection(t)["Robbery | Docklands"]
    {'offences': ['Robbery'], 'districts': ['Docklands']}
    """
    specs = {str(c.get("name")): c for c in custom}
    out: dict[str, dict[str, list[str]]] = {}
    for row in ranking_table.itertuples(index=False):
        kind = getattr(row, "kind", "offence")
        if kind == "offence":
            out[str(row.problem)] = {"offences": [str(row.offence)], "districts": []}
        elif kind == "offence_district":
            out[str(row.problem)] = {
                "offences": [str(row.offence)],
                "districts": [str(row.district)],
            }
        elif str(row.problem) in specs:
            spec = specs[str(row.problem)]
            out[str(row.problem)] = {
                "offences": [str(o) for o in spec.get("offences") or ()],
                "districts": [str(d) for d in spec.get("districts") or ()],
            }
    return out


def problem_evidence(
    incidents: pd.DataFrame,
    districts: Any = None,
    *,
    problem: str,
    offences: Sequence[str] = (),
    in_districts: Sequence[str] = (),
    cfg: Rules | None = None,
) -> Evidence:
    """Run the analyses the control-strategy rules cite, on one priority's incidents.

    Each analysis that cannot run on these incidents (too few events, no
    coordinates) is skipped and named in ``notes``; the others still count.

    Parameters
    ----------
    incidents
        Canonical incident table (the data in view); not modified.
    districts
        District boundaries (define the hot-spot grid's area), or None.
    problem
        The priority's name (carried into the result).
    offences, in_districts
        The problem's incidents: these offences in these districts (empty: all).
    cfg
        Thresholds (default: ``strategy.yaml``).

    Returns
    -------
    Evidence

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> ds = load_sample()
    >>> ev = problem_evidence(ds.incidents, ds.districts, problem="Residential burglary",
    ...                       offences=["Residential burglary"])
    >>> ev.knox_ratio > 1.5, ev.n_persistent > 0, ev.season_peak_month
    (True, True, 12)
    """
    cfg = cfg or rules()
    mask = np.ones(len(incidents), dtype=bool)
    if offences:
        mask &= incidents["offence"].astype(str).isin([str(o) for o in offences]).to_numpy()
    if in_districts:
        mask &= incidents["district"].astype(str).isin([str(d) for d in in_districts]).to_numpy()
    sub = incidents.loc[mask]
    notes: list[Message] = []
    found: dict[str, Any] = {"problem": str(problem), "n_incidents": int(mask.sum())}
    if len(sub) == 0:
        notes.append(Message("strategy.note.no_incidents"))
        return Evidence(**found, notes=tuple(notes))
    for name, step in (
        ("hotspots", _hotspot_evidence),
        ("near_repeat", _knox_evidence),
        ("repeat_locations", _repeat_evidence),
        ("seasonality", _season_evidence),
    ):
        try:
            found.update(step(sub, districts, cfg))
        except IlpInputError as error:
            notes.append(
                Message("strategy.note.skipped", {"analysis": name, "reason": error.message.key})
            )
    return Evidence(**found, notes=tuple(notes))


def _hotspot_evidence(sub: pd.DataFrame, districts: Any, cfg: Rules) -> dict[str, Any]:
    change = hotspots.hotspot_change(sub, districts)
    table = change.table
    listed = int(cfg.hotspots["cells_listed"])
    out: dict[str, Any] = {
        "cell_size": float(change.grid.cell_size),
        "period_days": int(change.period_days),
    }
    recent = int(change.thresholds.recent_periods)
    minimum = int(cfg.hotspots["emerging_min_incidents"])
    for cls in ("persistent", "emerging"):
        cells = table[table["change_class"] == cls]
        if cls == "emerging":
            cells = cells[(cells["n_hot_recent"] >= recent) & (cells["count"] >= minimum)]
        cells = cells.sort_values(["count", "cell_id"], ascending=[False, True])
        top = cells.head(listed)
        names: tuple[str, ...] = ()
        if districts is not None and len(cells):
            where = geo.assign_districts(
                cells["lat"].to_numpy(), cells["lon"].to_numpy(), districts
            )
            names = tuple(dict.fromkeys(str(d) for d in where.dropna()))
        out[f"n_{cls}"] = len(cells)
        out[f"{cls}_cells"] = tuple(int(c) for c in top["cell_id"])
        out[f"{cls}_districts"] = names
        if cls == "persistent":
            out["persistent_points"] = tuple(
                (round(float(a), 5), round(float(b), 5))
                for a, b in zip(top["lat"], top["lon"], strict=True)
            )
    return out


def _knox_evidence(sub: pd.DataFrame, _districts: Any, cfg: Rules) -> dict[str, Any]:
    nr = cfg.near_repeat
    when = pd.to_datetime(sub["occurred_at"])
    last = when.max()
    if pd.isna(last):
        raise IlpInputError("near_repeat.too_few_events", n=0)
    recent = sub.loc[(when > last - pd.Timedelta(days=int(nr["window_days"]))).to_numpy()]
    if len(recent) < int(nr["min_events"]):
        raise IlpInputError("near_repeat.too_few_events", n=len(recent))
    share = _sample_share(recent, float(nr["distance_m"]), int(nr["max_pairs"]))
    tested = recent
    if share < 1.0:
        tested = recent.loc[np.random.default_rng(int(nr["seed"])).random(len(recent)) < share]
    result = near_repeat.knox_test(
        tested,
        spatial_bandwidth=float(nr["distance_m"]),
        spatial_bands=1,
        temporal_bandwidth=int(nr["days"]),
        temporal_bands=2,
        same_location=False,
        permutations=int(nr["permutations"]),
        seed=int(nr["seed"]),
    )
    return {
        "knox_ratio": float(result.ratio.iloc[0, 0]),
        "knox_p": float(result.p_value.iloc[0, 0]),
        "knox_ratio_after": float(result.ratio.iloc[0, 1]),
        "knox_p_after": float(result.p_value.iloc[0, 1]),
        "knox_events": int(result.n_events),
        "knox_window_incidents": len(recent),
        "knox_sample_share": share,
    }


def _sample_share(events: pd.DataFrame, distance: float, max_pairs: int) -> float:
    """Share of ``events`` to test so that about ``max_pairs`` close pairs remain (1: all).

    Keeping each event with probability ``f`` keeps each pair with ``f ** 2``, both in
    the observed and the expected counts, so the Knox ratio keeps its expectation and
    the permutation test stays exact for the subset; only its precision drops. At
    1,000,000 incidents this took the evidence of one year of shoplifting (98 million
    pairs within 200 m) from 19.1 s to 0.8 s, and of the 7 priorities in scope from
    31.4 s to 4.4 s (``benchmarks/bench_strategy.py --no-budget``).
    """
    pairs = near_repeat.count_close_pairs(events, distance)
    return 1.0 if pairs <= max_pairs else math.sqrt(max_pairs / pairs)


def _repeat_evidence(sub: pd.DataFrame, _districts: Any, cfg: Rules) -> dict[str, Any]:
    table = hotspots.repeat_locations(sub)
    top = table.head(int(cfg.repeat_locations["top"]))
    return {
        "repeat_locations": tuple(str(v) for v in top["location_id"]),
        "repeat_share": float(top["share"].sum()) if len(top) else 0.0,
        "repeat_count": int(top["count"].sum()) if len(top) else 0,
    }


def _season_evidence(sub: pd.DataFrame, _districts: Any, cfg: Rules) -> dict[str, Any]:
    one = sub.assign(offence="problem")
    index = temporal.seasonality(temporal.period_counts(one, "month"))
    values = index.sort_values("month")["seasonal_index"].to_numpy(dtype=float)
    if len(values) != 12 or not np.isfinite(values).all():
        raise IlpInputError("temporal.too_short_for_seasonality", months=len(values), needed=12)
    peak = int(np.argmax(values))
    threshold = float(cfg.seasonality["season_index"])
    start = end = peak
    for _ in range(11):  # widen around the peak while the months stay above the threshold
        if values[(start - 1) % 12] >= threshold and (start - 1) % 12 != end:
            start = (start - 1) % 12
        else:
            break
    for _ in range(11):
        if values[(end + 1) % 12] >= threshold and (end + 1) % 12 != start:
            end = (end + 1) % 12
        else:
            break
    return {
        "season_peak_month": peak + 1,
        "season_peak_index": float(values[peak]),
        "season_start": start + 1,
        "season_end": end + 1,
    }


# --------------------------------------------------------------------------------------
# Suggestions for the control strategy
# --------------------------------------------------------------------------------------


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
    evidence = evidence or {}
    position = position or {}
    flags = {}
    if summary is not None:
        for row in summary.per_problem.itertuples(index=False):
            flags[str(row.problem)] = (str(row.flag_reason), int(row.n_items), int(row.n_weak))
    rows: list[tuple[str, str, str, str, str, str]] = []
    for row in ranking_table.itertuples(index=False):
        problem = str(row.problem)
        name = _problem_name(row, lang)
        ev = evidence.get(problem)
        found = _rules_for(
            row,
            name,
            ev,
            flags.get(problem),
            (position.get(problem) or {}).get("position_knowledge"),
            lang,
            cfg,
        )
        for rule, pillar, action, why in found:
            rows.append((f"{rule}|{problem}", problem, pillar, rule, action, why))
    out = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    return out.astype(dict.fromkeys(SUGGESTION_COLUMNS, "str"))


def _problem_name(row: Any, lang: str) -> str:
    kind = getattr(row, "kind", None)
    offence = getattr(row, "offence", None)
    district = getattr(row, "district", None)
    if kind == "offence":
        return i18n.term(offence, lang)
    if kind == "offence_district":
        return f"{i18n.term(offence, lang)} · {i18n.term(district, lang)}"
    return str(row.problem)


def _rules_for(
    row: Any,
    name: str,
    ev: Evidence | None,
    flag: tuple[str, int, int] | None,
    knowledge: float | None,
    lang: str,
    cfg: Rules,
) -> list[tuple[str, str, str, str]]:
    def say(key: str, **params: Any) -> str:
        return i18n.t(f"strategy.rule.{key}", lang, **params)

    out: list[tuple[str, str, str, str]] = []
    terms = ", ".join
    if ev is not None and ev.n_persistent >= int(cfg.hotspots["min_persistent_cells"]):
        low, high = cfg.hotspots["patrol_minutes"]
        cells = terms(str(c) for c in ev.persistent_cells)
        where = terms(i18n.term(d, lang) for d in ev.persistent_districts) or "-"
        out.append(
            (
                "hotspot_patrol",
                "prevention",
                say("hotspot_patrol.action", low=low, high=high, cells=cells, districts=where),
                say(
                    "hotspot_patrol.evidence",
                    n=ev.n_persistent,
                    size=_num(ev.cell_size, lang),
                    days=ev.period_days,
                    cells=cells,
                    districts=where,
                ),
            )
        )
    nr = cfg.near_repeat
    if ev is not None and _is_near_repeat(ev, cfg):
        out.append(
            (
                "near_repeat",
                "prevention",
                say("near_repeat.action", problem=name, distance=nr["distance_m"], days=nr["days"]),
                say(
                    "near_repeat.evidence"
                    if ev.knox_sample_share >= 1.0
                    else "near_repeat.evidence_sampled",
                    total=ev.knox_window_incidents,
                    ratio=_num(ev.knox_ratio, lang, 2),
                    p=_num(ev.knox_p, lang, 3),
                    after=_num(ev.knox_ratio_after, lang, 2),
                    distance=nr["distance_m"],
                    days=nr["days"],
                    events=ev.knox_events,
                    window=nr["window_days"],
                ),
            )
        )
    rl = cfg.repeat_locations
    if ev is not None and ev.repeat_locations and ev.repeat_share >= float(rl["min_share"]):
        listed = terms(ev.repeat_locations[: int(rl["listed"])])
        out.append(
            (
                "repeat_locations",
                "prevention",
                say("repeat_locations.action", locations=listed),
                say(
                    "repeat_locations.evidence",
                    top=len(ev.repeat_locations),
                    share=i18n.percent(ev.repeat_share, lang),
                    count=ev.repeat_count,
                ),
            )
        )
    if ev is not None and _is_seasonal(ev, cfg):
        months = get_month_names("wide", locale=lang, context="stand-alone")
        out.append(
            (
                "seasonal",
                "prevention",
                say("seasonal.action", month=months[ev.season_start], problem=name),
                say(
                    "seasonal.evidence",
                    peak=months[ev.season_peak_month],
                    share=i18n.percent(ev.season_peak_index - 1.0, lang),
                    start=months[ev.season_start],
                    end=months[ev.season_end],
                ),
            )
        )
    if ev is not None and ev.n_emerging > 0:
        cells = terms(str(c) for c in ev.emerging_cells)
        where = terms(i18n.term(d, lang) for d in ev.emerging_districts) or "-"
        out.append(
            (
                "emerging_hotspot",
                "intelligence",
                say("emerging_hotspot.action", cells=cells, districts=where),
                say("emerging_hotspot.evidence", n=ev.n_emerging, cells=cells, districts=where),
            )
        )
    if flag is not None and flag[0]:
        reason, n_items, n_weak = flag
        out.append(
            (
                "weak_information",
                "intelligence",
                say("weak_information.action", problem=name),
                say(f"weak_information.evidence.{reason}", n_items=n_items, n_weak=n_weak),
            )
        )
    pos = cfg.position
    if knowledge is not None and knowledge >= float(pos["large_gap"]):
        out.append(
            (
                "knowledge_gap",
                "intelligence",
                say("knowledge_gap.action", problem=name),
                say("knowledge_gap.evidence", value=_num(knowledge, lang, 1)),
            )
        )
    trend = _value(row, "trend")
    if str(getattr(row, "trend_direction", "")) == "rising" and trend >= float(
        cfg.trend["min_rising_pct"]
    ):
        out.append(
            (
                "rising_trend",
                "enforcement",
                say("rising_trend.action", problem=name),
                say("rising_trend.evidence", trend=_num(trend, lang)),
            )
        )
    concern = _value(row, "public_concern")
    hot = ev is not None and ev.n_persistent >= int(cfg.hotspots["min_persistent_cells"])
    if hot or concern >= float(pos["public_concern_high"]):
        where = terms(i18n.term(d, lang) for d in ev.persistent_districts) if hot else ""
        out.append(
            (
                "reassurance",
                "reassurance",
                say("reassurance.action", problem=name, districts=where or "-"),
                say("reassurance.evidence.hotspots", districts=where)
                if hot and where
                else say("reassurance.evidence.concern", value=_num(concern, lang, 1)),
            )
        )
    return out


def _is_seasonal(ev: Evidence, cfg: Rules) -> bool:
    if not ev.season_peak_month or not math.isfinite(ev.season_peak_index):
        return False
    months = (ev.season_end - ev.season_start) % 12 + 1
    return ev.season_peak_index >= float(cfg.seasonality["min_peak_index"]) and months >= int(
        cfg.seasonality["min_season_months"]
    )


def _is_near_repeat(ev: Evidence, cfg: Rules) -> bool:
    nr = cfg.near_repeat
    if not (math.isfinite(ev.knox_ratio) and math.isfinite(ev.knox_p)):
        return False
    after = ev.knox_ratio_after if math.isfinite(ev.knox_ratio_after) else 1.0
    excess, excess_after = ev.knox_ratio - 1.0, max(after - 1.0, 0.0)
    return (
        ev.knox_ratio >= float(nr["min_ratio"])
        and ev.knox_p <= float(nr["alpha"])
        and excess >= float(nr["decay"]) * excess_after
    )


def _value(row: Any, name: str) -> float:
    value = getattr(row, name, math.nan)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value


def _num(value: float, lang: str, decimals: int = 0) -> str:
    if not math.isfinite(value):
        return "-"
    return i18n.number(value, lang, decimals)


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


# --------------------------------------------------------------------------------------
# Intelligence requirements
# --------------------------------------------------------------------------------------


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
    evidence = evidence or {}
    position = position or {}
    today = today or dt.date.today()
    due = today + dt.timedelta(days=int(cfg.requirements["due_days"]))
    per = {}
    if summary is not None:
        per = {str(r.problem): r for r in summary.per_problem.itertuples(index=False)}
    pos = cfg.position
    rows = []
    for row in ranking_table.itertuples(index=False):
        problem = str(row.problem)
        name = _problem_name(row, lang)
        ev = evidence.get(problem)

        def say(key: str, **params: Any) -> str:
            return i18n.t(f"strategy.draft.{key}", lang, **params)

        known = [
            say(
                "known_volume",
                n=int(_value(row, "volume")) if math.isfinite(_value(row, "volume")) else 0,
                rank=int(_value(row, "rank")) if math.isfinite(_value(row, "rank")) else 0,
                tier=i18n.t(f"strategy.tier.{getattr(row, 'tier', 'low')}", lang)
                if getattr(row, "tier", None) in ("high", "medium", "low")
                else "-",
            )
        ]
        if math.isfinite(_value(row, "trend")):
            direction = str(getattr(row, "trend_direction", "") or "no_clear_trend")
            key = f"strategy.direction.{direction}"
            known.append(
                say(
                    "known_trend",
                    trend=_num(_value(row, "trend"), lang),
                    direction=i18n.t(key, lang) if i18n.has(key, lang) else direction,
                )
            )
        if ev is not None and ev.n_persistent:
            districts = ", ".join(i18n.term(d, lang) for d in ev.persistent_districts) or "-"
            known.append(say("known_hotspots", n=ev.n_persistent, districts=districts))
        if ev is not None and _is_near_repeat(ev, cfg):
            known.append(
                say(
                    "known_near_repeat",
                    distance=cfg.near_repeat["distance_m"],
                    days=cfg.near_repeat["days"],
                    ratio=_num(ev.knox_ratio, lang, 1),
                )
            )
        info = per.get(problem)
        n_items = int(info.n_items) if info is not None else 0
        n_weak = int(info.n_weak) if info is not None else 0
        if n_items:
            known.append(say("known_items", n=n_items, weak=n_weak))
        gaps = []
        assessed = position.get(problem) or {}
        value = assessed.get("position_knowledge")
        if value is None:
            gaps.append(say("gap_not_assessed"))
        elif value >= float(pos["large_gap"]):
            gaps.append(say("gap_large", value=_num(value, lang)))
        elif value <= float(pos["small_gap"]):
            gaps.append(say("gap_small", value=_num(value, lang)))
        else:
            gaps.append(say("gap_some", value=_num(value, lang)))
        for criterion in ("position_capacity", "position_capability"):
            other = assessed.get(criterion)
            if other is not None and other >= float(pos["large_gap"]):
                gaps.append(say(f"gap_{criterion[9:]}", value=_num(other, lang)))
        flag = str(info.flag_reason) if info is not None else "no_items"
        if flag == "no_items":
            gaps.append(say("gap_no_items"))
        elif flag == "mostly_weak":
            gaps.append(say("gap_weak", n=n_items, weak=n_weak))
        asks = [say("requirement_base", problem=name)]
        if ev is not None and ev.n_persistent:
            asks.append(say("requirement_hotspots", cells=", ".join(map(str, ev.persistent_cells))))
        if ev is not None and ev.n_emerging:
            asks.append(say("requirement_emerging", cells=", ".join(map(str, ev.emerging_cells))))
        if flag:
            asks.append(say("requirement_corroborate"))
        rows.append(
            {
                "problem": problem,
                "known": " ".join(known),
                "gap": " ".join(gaps),
                "requirement": " ".join(asks),
                "owner": owner,
                "due": due,
                "status": "open",
            }
        )
    return check_requirements(pd.DataFrame(rows, columns=list(REQUIREMENT_COLUMNS)))


# --------------------------------------------------------------------------------------
# Tables: empty, checked
# --------------------------------------------------------------------------------------


def empty_requirements() -> pd.DataFrame:
    """Return an empty requirements table (:data:`REQUIREMENT_COLUMNS`)."""
    return check_requirements(pd.DataFrame({c: [] for c in REQUIREMENT_COLUMNS}))


def empty_strategy() -> pd.DataFrame:
    """Return an empty control strategy (:data:`STRATEGY_COLUMNS`)."""
    return check_strategy(pd.DataFrame({c: [] for c in STRATEGY_COLUMNS}))


def empty_pestel() -> pd.DataFrame:
    """Return an empty PESTEL table (:data:`PESTEL_COLUMNS`)."""
    return check_pestel(pd.DataFrame({c: [] for c in PESTEL_COLUMNS}))


def empty_swot() -> pd.DataFrame:
    """Return an empty SWOT table (:data:`SWOT_COLUMNS`)."""
    return check_swot(pd.DataFrame({c: [] for c in SWOT_COLUMNS}))


def _text_column(values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    return pd.array(["" if _blank(v) else str(v).strip() for v in values], dtype="str")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _option(
    table: str, column: str, values: Sequence[Any], allowed: tuple[str, ...], default: str | None
) -> list[str]:
    out = []
    for i, value in enumerate(values):
        if _blank(value) and default is not None:
            out.append(default)
            continue
        text = "" if _blank(value) else str(value).strip().lower()
        if text not in allowed:
            raise IlpInputError(
                f"strategy.bad_option.{column}",
                rows=(i + 1,),
                columns=(column,),
                table=table,
                row=i + 1,
                value="" if _blank(value) else str(value),
                allowed=", ".join(allowed),
            )
        out.append(text)
    return out


def _require(table: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise IlpInputError(
            "strategy.missing_columns",
            columns=missing,
            table=table,
            missing=", ".join(missing),
            expected=", ".join(columns),
        )


def _problem_lists(table: str, values: Sequence[Any]) -> list[list[str]]:
    out = []
    for i, value in enumerate(values):
        if _blank(value):
            out.append([])
        elif isinstance(value, str):
            out.append([p.strip() for p in value.split(";") if p.strip()])
        elif isinstance(value, list | tuple | np.ndarray | pd.Series):
            out.append([str(p).strip() for p in value if not _blank(p)])
        else:
            raise IlpInputError(
                "strategy.bad_problems",
                rows=(i + 1,),
                columns=("problems",),
                table=table,
                row=i + 1,
            )
    return out


def _factor(table: str, values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    for i, value in enumerate(values):
        if _blank(value):
            raise IlpInputError(
                "strategy.factor_missing",
                rows=(i + 1,),
                columns=("factor",),
                table=table,
                row=i + 1,
            )
    return _text_column(values)


def check_requirements(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the requirements table checked and typed (a new frame).

    ``due`` is read as a date (ISO or day first; blank stays None); ``status``
    must be ``open``, ``in_progress`` or ``closed`` (blank: ``open``); rows with
    every text cell empty are dropped (an editor's blank line).

    Raises
    ------
    IlpInputError
        ``strategy.missing_columns``, ``strategy.bad_option``, ``strategy.bad_date``.

    Examples
    --------
    >>> r = check_requirements(pd.DataFrame({"problem": ["Robbery"], "known": [""], "gap": [""],
    ...     "requirement": ["Who?"], "owner": [""], "due": ["01.02.2026"], "status": [None]}))
    >>> r.loc[0, "due"], r.loc[0, "status"]
    (datetime.date(2026, 2, 1), 'open')
    """
    _require("requirements", frame, REQUIREMENT_COLUMNS)
    frame = _drop_blank_rows(frame, ("problem", "known", "gap", "requirement", "owner"))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in ("problem", "known", "gap", "requirement", "owner"):
        out[col] = _text_column(list(frame[col]))
    dues = []
    for i, value in enumerate(frame["due"]):
        if _blank(value):
            dues.append(None)
            continue
        day = intelligence.parse_date(value)
        if day is None:
            raise IlpInputError(
                "strategy.bad_date", rows=(i + 1,), columns=("due",), row=i + 1, value=str(value)
            )
        dues.append(day)
    out["due"] = pd.Series(dues, dtype=object)
    out["status"] = pd.array(
        _option("requirements", "status", list(frame["status"]), STATUSES, "open"), dtype="str"
    )
    return out


def check_strategy(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the control strategy checked and typed (a new frame).

    Raises
    ------
    IlpInputError
        ``strategy.missing_columns``, ``strategy.bad_option`` (pillar),
        ``strategy.action_missing``.

    Examples
    --------
    >>> s = check_strategy(pd.DataFrame({"problem": ["Robbery"], "pillar": ["Enforcement"],
    ...     "action": ["Op Nightjar"], "owner": ["CID"], "suggested": [None]}))
    >>> s.loc[0, "pillar"], bool(s.loc[0, "suggested"])
    ('enforcement', False)
    """
    _require("strategy", frame, STRATEGY_COLUMNS)
    frame = _drop_blank_rows(frame, ("problem", "action", "owner"))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["problem"] = _text_column(list(frame["problem"]))
    out["pillar"] = pd.array(
        _option("strategy", "pillar", list(frame["pillar"]), PILLARS, None), dtype="str"
    )
    for i, value in enumerate(frame["action"]):
        if _blank(value):
            raise IlpInputError(
                "strategy.action_missing", rows=(i + 1,), columns=("action",), row=i + 1
            )
    out["action"] = _text_column(list(frame["action"]))
    out["owner"] = _text_column(list(frame["owner"]))
    out["suggested"] = np.array([bool(v) and not _blank(v) for v in frame["suggested"]], dtype=bool)
    return out


def check_pestel(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the PESTEL table checked and typed; ``problems`` as lists of names.

    ``problems`` may be a list or a ``;``-separated text; ``impact`` blank is
    ``medium``.

    Raises
    ------
    IlpInputError
        ``strategy.missing_columns``, ``strategy.bad_option``,
        ``strategy.factor_missing``, ``strategy.bad_problems``.

    Examples
    --------
    >>> p = check_pestel(pd.DataFrame({"category": ["Economic"], "factor": ["Cost of living"],
    ...     "problems": ["Shoplifting; Robbery"], "impact": [""]}))
    >>> p.loc[0, "problems"], p.loc[0, "impact"]
    (['Shoplifting', 'Robbery'], 'medium')
    """
    _require("pestel", frame, PESTEL_COLUMNS)
    frame = _drop_blank_rows(frame, ("factor",), also_empty=("category",))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["category"] = pd.array(
        _option("pestel", "category", list(frame["category"]), PESTEL_CATEGORIES, None),
        dtype="str",
    )
    out["factor"] = _factor("pestel", list(frame["factor"]))
    out["problems"] = pd.Series(_problem_lists("pestel", list(frame["problems"])), dtype=object)
    out["impact"] = pd.array(
        _option("pestel", "impact", list(frame["impact"]), IMPACTS, "medium"), dtype="str"
    )
    return out


def check_swot(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the SWOT table checked and typed; ``problems`` as lists of names.

    Raises
    ------
    IlpInputError
        ``strategy.missing_columns``, ``strategy.bad_option``,
        ``strategy.factor_missing``, ``strategy.bad_problems``.

    Examples
    --------
    >>> s = check_swot(pd.DataFrame({"quadrant": ["threats"], "factor": ["New port"],
    ...     "problems": [["Drug offences"]]}))
    >>> s.loc[0, "problems"]
    ['Drug offences']
    """
    _require("swot", frame, SWOT_COLUMNS)
    frame = _drop_blank_rows(frame, ("factor",), also_empty=("quadrant",))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["quadrant"] = pd.array(
        _option("swot", "quadrant", list(frame["quadrant"]), SWOT_QUADRANTS, None), dtype="str"
    )
    out["factor"] = _factor("swot", list(frame["factor"]))
    out["problems"] = pd.Series(_problem_lists("swot", list(frame["problems"])), dtype=object)
    return out


def _drop_blank_rows(
    frame: pd.DataFrame, text: Sequence[str], also_empty: Sequence[str] = ()
) -> pd.DataFrame:
    keep = [
        not all(_blank(frame[c].iloc[i]) for c in (*text, *also_empty)) for i in range(len(frame))
    ]
    return frame.loc[np.asarray(keep, dtype=bool)] if len(frame) else frame


def factor_links(
    pestel: pd.DataFrame, swot: pd.DataFrame, problems: Sequence[str] = ()
) -> pd.DataFrame:
    """List which PESTEL and SWOT factors affect each priority.

    Parameters
    ----------
    pestel, swot
        The two tables (checked here).
    problems
        Priorities to list first, in this order (each factor names its problems;
        problems named by a factor but not given come after them).

    Returns
    -------
    pandas.DataFrame
        ``problem``, ``source`` (``pestel`` or ``swot``), ``category`` (PESTEL
        category or SWOT quadrant), ``factor``, ``impact`` (empty for SWOT).

    Examples
    --------
    >>> p = pd.DataFrame({"category": ["economic"], "factor": ["Cost of living"],
    ...     "problems": [["Shoplifting", "Robbery"]], "impact": ["high"]})
    >>> s = pd.DataFrame({"quadrant": ["strengths"], "factor": ["Retail partnership"],
    ...     "problems": [["Shoplifting"]]})
    >>> factor_links(p, s, ["Shoplifting"])[["problem", "source", "factor"]].values.tolist()
    [['Shoplifting', 'pestel', 'Cost of living'], ['Shoplifting', 'swot', 'Retail partnership'], ['Robbery', 'pestel', 'Cost of living']]
    """  # noqa: E501
    pestel, swot = check_pestel(pestel), check_swot(swot)
    rows = []
    for r in pestel.itertuples(index=False):
        rows += [(p, "pestel", r.category, r.factor, r.impact) for p in r.problems]
    for r in swot.itertuples(index=False):
        rows += [(p, "swot", r.quadrant, r.factor, "") for p in r.problems]
    out = pd.DataFrame(rows, columns=["problem", "source", "category", "factor", "impact"])
    order = list(dict.fromkeys([*map(str, problems), *out["problem"]]))
    rank = {p: i for i, p in enumerate(order)}
    out["_order"] = out["problem"].map(rank)
    out = out.sort_values(["_order", "source"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True).astype("str")


#: Entered criteria of the organisation's position (0-4, higher = larger gap).
POSITION_CRITERIA: Final[tuple[str, ...]] = (
    "position_knowledge",
    "position_capacity",
    "position_capability",
)


def position_values(entered: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """Return each problem's assessed position gaps from a priority assessment's entered values.

    Only values that were assessed are in the assessment's entered values, so a
    problem or criterion missing here was not assessed.

    Examples
    --------
    >>> e = pd.DataFrame({"problem": ["Robbery", "Robbery"],
    ...     "criterion": ["position_knowledge", "vulnerability"],
    ...     "value": [3.0, 4.0], "confidence": ["medium", "high"]})
    >>> position_values(e)
    {'Robbery': {'position_knowledge': 3.0}}
    """
    out: dict[str, dict[str, float]] = {}
    if entered is None or not len(entered):
        return out
    rows = entered[entered["criterion"].isin(list(POSITION_CRITERIA))]
    for p, c, v in zip(rows["problem"], rows["criterion"], rows["value"], strict=True):
        out.setdefault(str(p), {})[str(c)] = float(v)
    return out


def reminder(lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The reminder every product carries: decision support on recorded crime, not instructions.

    Examples
    --------
    >>> reminder("en").startswith("Rankings and allocations are decision support")
    True
    """
    return i18n.t(REMINDER_KEY, lang)
