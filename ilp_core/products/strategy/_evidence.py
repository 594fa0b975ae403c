"""Evidence from the analyses: what the hot-spot, Knox, repeat-location and season analyses say.

:func:`problem_evidence` runs them on one priority's incidents (selected with
:func:`problem_selection`); :func:`is_near_repeat` and :func:`is_seasonal` judge
the result against the thresholds of ``strategy.yaml``, for the suggestions and
the drafted requirements alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilp_core.analysis import hotspots, near_repeat, temporal
from ilp_core.data import geo
from ilp_core.errors import IlpInputError, Message
from ilp_core.products.strategy._rules import Rules, rules


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
    coordinates) is skipped and named in ``notes``; the others still count. The
    priority's points are taken from the whole table's projection
    (``geo.projection``, the data's UTM zone), not projected again: at 10,000,000
    incidents projecting the 7 priorities in scope took 0.65 s of their evidence.

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
        mask &= _written_as(incidents["offence"], offences)
    if in_districts:
        mask &= _written_as(incidents["district"], in_districts)
    # only the columns the analyses read are copied (the ids' text was a fifth of the
    # evidence's time at 10,000,000 incidents; the locations are counted on the whole
    # table's coding, below)
    sub = incidents[[c for c in _READ if c in incidents.columns]].loc[mask]
    notes: list[Message] = []
    found: dict[str, Any] = {"problem": str(problem), "n_incidents": int(mask.sum())}
    if len(sub) == 0:
        notes.append(Message("strategy.note.no_incidents"))
        return Evidence(**found, notes=tuple(notes))
    points = _points(incidents, mask)
    steps: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("hotspots", lambda: _hotspot_evidence(sub, districts, cfg, points)),
        ("near_repeat", lambda: _knox_evidence(sub, districts, cfg, points)),
        ("repeat_locations", lambda: _repeat_evidence(incidents, mask, cfg)),
        ("seasonality", lambda: _season_evidence(sub, districts, cfg, points)),
    )
    for name, step in steps:
        try:
            found.update(step())
        except IlpInputError as error:
            notes.append(
                Message("strategy.note.skipped", {"analysis": name, "reason": error.message.key})
            )
    return Evidence(**found, notes=tuple(notes))


#: The columns the hot-spot, Knox and season analyses read (kept in a priority's copy).
_READ = ("occurred_at", "precision", "lat", "lon", "district", "duplicate", "source_row")


def _written_as(column: pd.Series, values: Sequence[Any]) -> np.ndarray:
    """Rows whose value, written as text, is one of ``values`` (missing: none).

    A category is tested on its categories, not row by row: writing out 10,000,000
    offences took 2-3 s for each problem in scope.
    """
    wanted = {str(v) for v in values}
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.array([str(c) in wanted for c in column.cat.categories] + [False])
        return hit[column.cat.codes.to_numpy()]  # code -1 (missing) takes the last: False
    return (column.notna() & column.astype(str).isin(wanted)).to_numpy()


def _points(incidents: pd.DataFrame, mask: np.ndarray) -> geo.Projected | None:
    """The points of ``incidents[mask]`` from the whole table's projection (None: none to take).

    None when the table cannot be projected (no point, impossible coordinates): each
    analysis then projects the priority's incidents and says what is wrong with them.
    """
    try:
        return geo.projection(incidents).select(mask)
    except (IlpInputError, ValueError):
        return None


def _hotspot_evidence(
    sub: pd.DataFrame, districts: Any, cfg: Rules, points: geo.Projected | None
) -> dict[str, Any]:
    change = hotspots.hotspot_change(sub, districts, projected=points)
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


def _knox_evidence(
    sub: pd.DataFrame, _districts: Any, cfg: Rules, points: geo.Projected | None
) -> dict[str, Any]:
    nr = cfg.near_repeat
    when = pd.to_datetime(sub["occurred_at"])
    last = when.max()
    if pd.isna(last):
        raise IlpInputError("near_repeat.too_few_events", n=0)
    in_window = (when > last - pd.Timedelta(days=int(nr["window_days"]))).to_numpy()
    recent, points = sub.loc[in_window], _select(points, in_window)
    if len(recent) < int(nr["min_events"]):
        raise IlpInputError("near_repeat.too_few_events", n=len(recent))
    share = _sample_share(
        recent, float(nr["distance_m"]), int(nr["max_pairs"]), seed=int(nr["seed"]), points=points
    )
    tested = recent
    if share < 1.0:
        drawn = np.random.default_rng(int(nr["seed"])).random(len(recent)) < share
        tested, points = recent.loc[drawn], _select(points, drawn)
    result = near_repeat.knox_test(
        tested,
        spatial_bandwidth=float(nr["distance_m"]),
        spatial_bands=1,
        temporal_bandwidth=int(nr["days"]),
        temporal_bands=2,
        same_location=False,
        permutations=int(nr["permutations"]),
        seed=int(nr["seed"]),
        projected=points,
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


#: Events above which the close pairs are estimated from a random subset of this many.
PAIR_ESTIMATE_EVENTS = 10_000


def _select(points: geo.Projected | None, rows: np.ndarray) -> geo.Projected | None:
    return None if points is None else points.select(rows)


def _sample_share(
    events: pd.DataFrame,
    distance: float,
    max_pairs: int,
    seed: int = 0,
    points: geo.Projected | None = None,
) -> float:
    """Share of ``events`` to test so that about ``max_pairs`` close pairs remain (1: all).

    Keeping each event with probability ``f`` keeps each pair with ``f ** 2``, both in
    the observed and the expected counts, so the Knox ratio keeps its expectation and
    the permutation test stays exact for the subset; only its precision drops. At
    1,000,000 incidents this took the evidence of one year of shoplifting (98 million
    pairs within 200 m) from 19.1 s to 0.8 s, and of the 7 priorities in scope from
    31.4 s to 4.4 s (``benchmarks/bench_strategy.py --no-budget``).

    Up to :data:`PAIR_ESTIMATE_EVENTS` events the pairs are counted. Above, counting
    them costs as much as the pairs (at 10,000,000 incidents, 640,000 shoplifting
    events of a year hold about 10 billion): they are estimated from a seeded random
    subset of that many events, whose pairs are the whole's times ``q ** 2`` in
    expectation (``q``: the subset's share), for the same reason. The share only
    sets the subset's size: the test on the subset stays exact. 10,000 events keep
    the share within 0.6 % of the exact one on 200,000 clustered events (12 seeds)
    and took the counting of the 7 priorities at 1,000,000 incidents from 0.76 s
    (50,000 events) to 0.11 s.
    """
    n = len(events)
    if n <= PAIR_ESTIMATE_EVENTS:
        pairs = float(near_repeat.count_stored_pairs(events, distance, projected=points))
    else:
        rng = np.random.default_rng(seed)
        chosen = np.zeros(n, dtype=bool)
        chosen[rng.choice(n, PAIR_ESTIMATE_EVENTS, replace=False)] = True
        q = PAIR_ESTIMATE_EVENTS / n
        subset = events.loc[chosen]
        found = near_repeat.count_stored_pairs(subset, distance, projected=_select(points, chosen))
        pairs = found / q**2
    return 1.0 if pairs <= max_pairs else math.sqrt(max_pairs / pairs)


def _repeat_evidence(incidents: pd.DataFrame, mask: np.ndarray, cfg: Rules) -> dict[str, Any]:
    counts, n_located = hotspots.repeat_counts(incidents, rows=mask)
    top = counts.head(int(cfg.repeat_locations["top"]))
    return {
        "repeat_locations": tuple(str(v) for v in top.index),
        "repeat_share": float(top.sum() / n_located) if len(top) else 0.0,
        "repeat_count": int(top.sum()) if len(top) else 0,
    }


def _season_evidence(
    sub: pd.DataFrame, _districts: Any, cfg: Rules, _points: Any
) -> dict[str, Any]:
    # one offence for the whole problem, as a category: copying the whole subset to
    # write it took 0.3 s of the 7 priorities at 10,000,000 incidents
    one = pd.DataFrame(
        {
            "occurred_at": sub["occurred_at"],
            "precision": sub.get("precision"),
            "offence": pd.Categorical.from_codes(np.zeros(len(sub), dtype=np.int8), ["problem"]),
        },
        index=sub.index,
    )
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


def is_near_repeat(ev: Evidence, cfg: Rules) -> bool:
    """Whether the Knox test shows near repeats: a short-lived excess, not a lasting cluster.

    The ratio within the distance and days is at least ``min_ratio`` with
    ``p <= alpha``, and its excess at least ``decay`` times the excess of the
    following days (a missing ratio after counts as no excess).
    """
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


def is_seasonal(ev: Evidence, cfg: Rules) -> bool:
    """Whether the problem has a season: a strong peak month and enough months around it."""
    if not ev.season_peak_month or not math.isfinite(ev.season_peak_index):
        return False
    months = (ev.season_end - ev.season_start) % 12 + 1
    return ev.season_peak_index >= float(cfg.seasonality["min_peak_index"]) and months >= int(
        cfg.seasonality["min_season_months"]
    )
