"""The problems and their data criteria: computed once per dataset, the slow part of an assessment.

:func:`problem_data` finds the problems (offence types, offence types by district,
or problems the analyst defines) and measures each on the data criteria (volume,
trend, surge, seasonality, concentration, rate), step by step: one private
function per criterion. It also keeps the counts per offence from which harm is
computed cheaply on every change of a harm weight (``_harm_criteria``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis import hotspots, temporal
from ilp_core.analysis.temporal._common import _incident_days, _offence_codes
from ilp_core.decide.priorities._development import _add_development
from ilp_core.errors import IlpInputError, Message

ProblemLevel = Literal["offence", "offence_district"]

PROBLEM_LEVELS: Final[tuple[str, ...]] = get_args(ProblemLevel)
#: Days of the recent window of the ``surge`` criterion (about a quarter).
SURGE_DAYS: Final[int] = 91


@dataclass(frozen=True, eq=False)
class ProblemData:
    """The problems and everything about them that is computed once from the incidents.

    Attributes
    ----------
    problems
        ``problem`` (id), ``kind`` (``offence``, ``offence_district`` or
        ``custom``), ``offence``, ``district`` (NaN where they do not apply).
    table
        One row per problem: ``volume``, ``rate``, ``trend``, ``trend_direction``,
        ``trend_p``, ``surge``, ``surge_p``, ``seasonality``, ``concentration``,
        ``development`` (forecast change of the next 12 months against the same
        months a year earlier, %), ``development_lower``/``development_upper`` (its
        80 % interval) and ``development_status`` (``forecast``, or why not).
    offence_counts, offence_counts_early, offence_counts_late
        Incidents per problem (rows) and offence (columns): over the whole period
        and in the two windows of ``harm_change``.
    unavailable
        Data criterion to the message saying why it could not be computed.
    by
        ``"offence"`` or ``"offence_district"``.
    first_day, last_day
        First and last day with a dated incident.
    harm_windows
        ``((early_start, early_end), (late_start, late_end))`` of ``harm_change``.
    surge_periods
        ``(period_a, period_b)`` of ``surge``, or ``None``.
    cell_size
        Grid cell size (m) of ``concentration``, or NaN.
    """

    problems: pd.DataFrame
    table: pd.DataFrame
    offence_counts: pd.DataFrame
    offence_counts_early: pd.DataFrame
    offence_counts_late: pd.DataFrame
    unavailable: Mapping[str, Message]
    by: str
    first_day: dt.date | None
    last_day: dt.date | None
    harm_windows: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None
    surge_periods: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None
    cell_size: float

    @property
    def offences(self) -> list[str]:
        """Offence types present in the problems' incidents."""
        return [str(c) for c in self.offence_counts.columns]


def problem_data(
    incidents: pd.DataFrame,
    districts: Any = None,
    *,
    by: ProblemLevel = "offence",
    custom: Sequence[Mapping[str, Any]] = (),
    cell_size: float | None = None,
) -> ProblemData:
    """Compute the data criteria of every problem once (the slow part of an assessment).

    A problem is an offence type (``by="offence"``), an offence type in one
    district (``by="offence_district"``), or an analyst-defined problem given in
    ``custom`` as ``{"name": ..., "offences": [...], "districts": [...]}`` (empty
    lists mean all): its incidents are those of the listed offences in the listed
    districts. A problem without incidents scores 0 on every data criterion.
    Re-scoring after a change of weights or entered values does not repeat this
    work (see :func:`criteria_table`).

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    districts
        Optional district boundaries with ``population`` (for ``rate``; they also
        set the study area of ``concentration``).
    by
        ``"offence"`` or ``"offence_district"``.
    custom
        Analyst-defined problems (JSON-ready dicts, so a page can cache the call).
    cell_size
        Grid cell (m) of ``concentration``; ``None`` is the automatic size of the
        hot-spot maps.

    Returns
    -------
    ProblemData

    Raises
    ------
    IlpInputError
        ``checks.option`` for ``by``, ``priorities.no_problems`` when no
        incident has an offence, ``priorities.bad_custom_problem`` for a custom
        problem without a name or with a name already used.

    References
    ----------
    Bernasco, W., Steenbeek, W. (2017). More places than crimes: implications for
    evaluating the law of crime concentration at place. *Journal of Quantitative
    Criminology* 33, 451-467 (the generalised Gini used for ``concentration``).

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> d = problem_data(example_incidents(["Robbery", "Robbery", "Shoplifting"]))
    >>> d.table[["problem", "volume"]].to_numpy().tolist()
    [['Robbery', 2], ['Shoplifting', 1]]
    >>> sorted(d.unavailable)
    ['development', 'rate', 'seasonality', 'surge', 'trend']
    """
    checks.option("by", by, PROBLEM_LEVELS)
    off_codes, offences = _offence_codes(incidents)
    if not offences and not custom:
        raise IlpInputError("priorities.no_problems")
    members = _members(incidents, off_codes, offences, by, custom)
    if not members.problems:
        raise IlpInputError("priorities.no_problems")
    problems = _problem_table(members.problems)
    ids = [p["problem"] for p in members.problems]
    volume = np.bincount(members.codes, minlength=len(ids)).astype(np.int64)
    days = _days(incidents)
    by_problem = _incidents_by_problem(incidents, members, days, ids)

    table = _empty_criteria(ids, volume)
    unavailable: dict[str, Message] = {}
    _add_trend_and_seasonality(table, unavailable, by_problem)
    surge_periods = _add_surge(table, unavailable, by_problem, days)
    _add_development(table, unavailable, by_problem)
    used_cell = _add_concentration(table, unavailable, incidents, districts, members, cell_size)
    _add_rate(table, unavailable, districts, problems, custom, volume, days)
    _zero_where_empty(table, unavailable, volume)

    windows, early, late = _harm_windows(days)
    counts = functools.partial(
        _counts_by_offence, members, _take(off_codes, members), ids, offences
    )
    return ProblemData(
        problems=problems,
        table=problems.merge(table, on="problem", how="left", validate="one_to_one"),
        offence_counts=counts(None),
        offence_counts_early=counts(early),
        offence_counts_late=counts(late),
        unavailable=unavailable,
        by=str(by),
        first_day=_to_date(days.first) if days.first is not None else None,
        last_day=_to_date(days.last) if days.last is not None else None,
        harm_windows=_date_windows(windows),
        surge_periods=surge_periods,
        cell_size=float(used_cell),
    )


class _Members(NamedTuple):
    """The incidents of the problems: row positions, problem codes, and the problems."""

    rows: np.ndarray  # positions in the incident table (an incident may serve several problems)
    codes: np.ndarray  # problem of each position, an index into ``problems``
    problems: list[dict[str, Any]]  # problem, kind, offence, district
    every_row: bool = False  # rows is 0..n-1: each incident once, in order


def _take(values: np.ndarray, members: _Members) -> np.ndarray:
    """``values`` (one per incident) at the members' rows; not copied when that is every row.

    Each incident of a table in which every incident has an offence is a member once,
    in order: copying the table's columns for them took 0.5 s at 10,000,000 incidents,
    and a column kept as it is keeps its remembered day numbers (``memo``).
    """
    return values if members.every_row else values[members.rows]


class _Days(NamedTuple):
    """Each incident's start as a day number (days since 1970-01-01) and the span of dated days."""

    at: np.ndarray  # datetime64[ns]
    day: np.ndarray  # int64 day numbers (meaningless where not dated)
    dated: np.ndarray  # bool
    first: int | None
    last: int | None


def _members(
    incidents: pd.DataFrame,
    off_codes: np.ndarray,
    offences: list[str],
    by: str,
    custom: Sequence[Mapping[str, Any]],
) -> _Members:
    """Gather the problems of the chosen level, then the analyst's own, with their incidents."""
    if by == "offence":
        parts = [_offence_members(off_codes, offences)]
    else:
        parts = [_offence_district_members(incidents, off_codes, offences)]
    problems = list(parts[0].problems)
    for spec in custom:
        part = _custom_members(incidents, off_codes, spec, problems)
        parts.append(part)
        problems += part.problems
    if len(parts) == 1:
        return parts[0]
    return _Members(
        rows=np.concatenate([p.rows for p in parts]),
        codes=np.concatenate([p.codes for p in parts]),
        problems=problems,
    )


def _offence_members(off_codes: np.ndarray, offences: list[str]) -> _Members:
    """One problem per offence type, holding its incidents."""
    problems = [{"problem": o, "kind": "offence", "offence": o, "district": None} for o in offences]
    known = off_codes >= 0
    if known.all():
        return _Members(np.arange(len(off_codes)), off_codes, problems, every_row=True)
    rows = np.flatnonzero(known)
    return _Members(rows, off_codes[rows], problems)


def _offence_district_members(
    incidents: pd.DataFrame, off_codes: np.ndarray, offences: list[str]
) -> _Members:
    """One problem per offence type and district that have incidents together."""
    dist_names: list[str] = []
    dist_codes = np.full(len(incidents), -1, dtype=np.int64)
    if "district" in incidents.columns:
        dist_cat = pd.Categorical(incidents["district"])
        dist_codes = np.asarray(dist_cat.codes, dtype=np.int64)
        dist_names = [str(c) for c in dist_cat.categories]
    rows = np.flatnonzero((off_codes >= 0) & (dist_codes >= 0))
    pair = off_codes[rows] * max(len(dist_names), 1) + dist_codes[rows]
    uniq, inverse = np.unique(pair, return_inverse=True)
    problems = []
    for p in uniq:
        o, d = offences[int(p) // len(dist_names)], dist_names[int(p) % len(dist_names)]
        problems.append(
            {"problem": f"{o} | {d}", "kind": "offence_district", "offence": o, "district": d}
        )
    return _Members(rows, inverse.astype(np.int64), problems)


def _custom_members(
    incidents: pd.DataFrame,
    off_codes: np.ndarray,
    spec: Mapping[str, Any],
    problems: list[dict[str, Any]],
) -> _Members:
    """One analyst-defined problem: the listed offences in the listed districts."""
    name = str(spec.get("name", "")).strip() if isinstance(spec, Mapping) else ""
    if not name or name in {p["problem"] for p in problems}:
        raise IlpInputError("priorities.bad_custom_problem", name=name)
    mask = np.ones(len(incidents), dtype=bool)
    chosen_off = [str(o) for o in spec.get("offences") or ()]
    chosen_dist = [str(d) for d in spec.get("districts") or ()]
    if chosen_off:
        mask &= incidents["offence"].isin(chosen_off).to_numpy()
    else:
        mask &= off_codes >= 0
    if chosen_dist:
        mask &= incidents["district"].isin(chosen_dist).to_numpy()
    if not chosen_off and not chosen_dist:
        mask[:] = False  # a problem defined by hand only (e.g. an organised-crime group)
    rows = np.flatnonzero(mask)
    codes = np.full(len(rows), len(problems), dtype=np.int64)
    return _Members(
        rows, codes, [{"problem": name, "kind": "custom", "offence": None, "district": None}]
    )


def _problem_table(problems: list[dict[str, Any]]) -> pd.DataFrame:
    """The problems as a table of strings: ``problem``, ``kind``, ``offence``, ``district``."""
    table = pd.DataFrame(problems)
    for col in ("problem", "kind", "offence", "district"):
        table[col] = table[col].astype("str").where(table[col].notna())
    table["problem"] = table["problem"].astype("str")
    table["kind"] = table["kind"].astype("str")
    return table


def _days(incidents: pd.DataFrame) -> _Days:
    """Day number of each incident's start, and the first and last dated day."""
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    day, no_date = _incident_days(incidents)  # shared with the "when" pages (memo)
    dated = ~no_date
    first = last = None
    if dated.any():
        first, last = int(day[dated].min()), int(day[dated].max())
    return _Days(at, day, dated, first, last)


def _incidents_by_problem(
    incidents: pd.DataFrame, members: _Members, days: _Days, ids: list[str]
) -> pd.DataFrame:
    """The problems' incidents as temporal.py reads them, each problem as an "offence"."""
    every = members.every_row
    # not copied (pandas copies a dict's columns unless told): the whole table's dates
    # are then the column whose day numbers every page keeps (ilp_core.memo), not
    # derived again (0.25 s and 80 MB at 10,000,000 incidents)
    return pd.DataFrame(
        {
            "occurred_at": incidents["occurred_at"] if every else days.at[members.rows],
            # taken from the column as it is (a category): as Python objects, 5 s at 10M
            "precision": (
                incidents["precision"] if every else incidents["precision"].array.take(members.rows)
            )
            if "precision" in incidents.columns
            else "day",
            "offence": pd.Categorical.from_codes(members.codes, categories=ids),
        },
        copy=False,
    )


def _empty_criteria(ids: list[str], volume: np.ndarray) -> pd.DataFrame:
    """The criteria table before any criterion is measured: volume, the rest NaN."""
    table = pd.DataFrame({"problem": pd.array(ids, dtype="str"), "volume": volume})
    for col in ("trend", "trend_p", "surge", "surge_p", "seasonality", "concentration"):
        table[col] = np.nan
    table["trend_direction"] = pd.array([""] * len(ids), dtype="str")
    return table


def _add_trend_and_seasonality(
    table: pd.DataFrame, unavailable: dict[str, Message], by_problem: pd.DataFrame
) -> None:
    """Fill trend and seasonality from the monthly series (temporal.py), or say why not."""
    try:
        monthly = temporal.period_counts(by_problem, "month")
        tr = temporal.trend(monthly).table.set_index("offence")
        table["trend"] = table["problem"].map(tr["slope_pct_per_year"]).to_numpy(dtype=float)
        table["trend_p"] = table["problem"].map(tr["p_value"]).to_numpy(dtype=float)
        table["trend_direction"] = (
            table["problem"].map(tr["direction"]).fillna("").astype("str").to_numpy()
        )
        try:
            seas = temporal.seasonality(monthly)
            peak = seas.groupby("offence", sort=False)["seasonal_index"].max()
            table["seasonality"] = 100.0 * (table["problem"].map(peak).to_numpy(dtype=float) - 1)
        except IlpInputError as error:
            unavailable["seasonality"] = error.message
    except IlpInputError as error:
        unavailable["trend"] = unavailable["seasonality"] = error.message


def _add_surge(
    table: pd.DataFrame, unavailable: dict[str, Message], by_problem: pd.DataFrame, days: _Days
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """Fill the surge: the last 91 days against the same days a year earlier (or before)."""
    periods = _surge_periods(days)
    if periods is None:
        unavailable["surge"] = Message("priorities.unavailable_short", {"days": 2 * SURGE_DAYS})
        return None
    try:
        cmp = temporal.compare_periods(by_problem, *periods).table.set_index("offence")
        pct = cmp["pct_change"].to_numpy(dtype=float)
        # No incident in the earlier period: a new problem counts as the top of
        # the criterion's range (+100 %), or no change when both are empty.
        pct = np.where(np.isnan(pct), np.where(cmp["count_b"] > 0, 100.0, 0.0), pct)
        table["surge"] = table["problem"].map(pd.Series(pct, index=cmp.index)).to_numpy(dtype=float)
        table["surge_p"] = table["problem"].map(cmp["p_fdr"]).to_numpy(dtype=float)
    except IlpInputError as error:
        unavailable["surge"] = error.message
    return periods


def _surge_periods(
    days: _Days,
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """The surge's periods: the last 91 days and the same days a year earlier (or just before)."""
    if days.first is None or days.last is None:
        return None
    end = _to_date(days.last)
    recent = (end - dt.timedelta(days=SURGE_DAYS - 1), end)
    year_before = (recent[0] - dt.timedelta(days=364), end - dt.timedelta(days=364))
    before = (recent[0] - dt.timedelta(days=SURGE_DAYS), recent[0] - dt.timedelta(days=1))
    start = _to_date(days.first)
    period_a = year_before if year_before[0] >= start else before
    return (period_a, recent) if period_a[0] >= start else None


def _add_concentration(
    table: pd.DataFrame,
    unavailable: dict[str, Message],
    incidents: pd.DataFrame,
    districts: Any,
    members: _Members,
    cell_size: float | None,
) -> float:
    """Fill each problem's generalised Gini over the cells of the area; return the cell size."""
    try:
        gini, used_cell = _concentration(incidents, districts, members, len(table), cell_size)
    except IlpInputError as error:
        unavailable["concentration"] = error.message
        return math.nan
    table["concentration"] = gini
    return used_cell


def _add_rate(
    table: pd.DataFrame,
    unavailable: dict[str, Message],
    districts: Any,
    problems: pd.DataFrame,
    custom: Sequence[Mapping[str, Any]],
    volume: np.ndarray,
    days: _Days,
) -> None:
    """Fill the rate per 1,000 residents per year, or say why not."""
    table["rate"] = np.nan
    population = _population(districts, problems, custom)
    if population is None or days.first is None or days.last is None:
        unavailable["rate"] = Message("priorities.unavailable_rate")
        return
    years = (days.last - days.first + 1) / 365.25
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = np.where(population > 0, volume / population * 1000.0 / years, np.nan)


def _zero_where_empty(
    table: pd.DataFrame, unavailable: Mapping[str, Message], volume: np.ndarray
) -> None:
    """Score problems without incidents 0 on every data criterion that could be measured."""
    empty = volume == 0
    for col in ("trend", "surge", "seasonality", "concentration", "rate", "development"):
        if col not in unavailable:
            table.loc[empty, col] = 0.0


def _harm_windows(
    days: _Days,
) -> tuple[tuple[tuple[int, int], tuple[int, int]] | None, np.ndarray, np.ndarray]:
    """The windows of ``harm_change`` (last year and the year before) and their incidents."""
    early = late = np.zeros(len(days.day), dtype=bool)
    if days.first is None or days.last is None:
        return None, early, late
    first, last = days.first, days.last
    span = last - first + 1
    half = 365 if span >= 730 else span // 2
    windows = ((last - 2 * half + 1, last - half), (last - half + 1, last))
    if half >= 1:
        early = days.dated & (days.day >= windows[0][0]) & (days.day <= windows[0][1])
        late = days.dated & (days.day >= windows[1][0]) & (days.day <= windows[1][1])
    return windows, early, late


def _counts_by_offence(
    members: _Members,
    member_offences: np.ndarray,
    ids: list[str],
    offences: list[str],
    mask: np.ndarray | None,
) -> pd.DataFrame:
    """Incidents per problem (rows) and offence (columns), among ``mask`` (all when None).

    ``member_offences``: the offence code of each member (``_take`` of the codes).
    """
    n_prob = len(ids)
    keep = member_offences >= 0
    if mask is not None:
        keep &= _take(mask, members)
    flat = members.codes[keep] * len(offences) + member_offences[keep]
    mat = np.bincount(flat, minlength=n_prob * len(offences)).reshape(n_prob, len(offences))
    return pd.DataFrame(mat, index=pd.Index(ids, name="problem"), columns=offences)


def _date_windows(
    windows: tuple[tuple[int, int], tuple[int, int]] | None,
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """The harm windows as dates."""
    if windows is None:
        return None
    (a0, a1), (b0, b1) = windows
    return (_to_date(a0), _to_date(a1)), (_to_date(b0), _to_date(b1))


def _to_date(day: int) -> dt.date:
    """The date of a day number (days since 1970-01-01)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _concentration(
    incidents: pd.DataFrame,
    districts: Any,
    members: _Members,
    n_prob: int,
    cell_size: float | None,
) -> tuple[np.ndarray, float]:
    """Generalised Gini per problem over the cells of the study area (hotspots' grid)."""
    mat, grid = hotspots.grouped_cell_counts(
        incidents, districts, rows=members.rows, groups=members.codes, n_groups=n_prob,
        cell_size=cell_size,
    )  # fmt: skip
    return generalised_gini(mat), grid.cell_size


def generalised_gini(counts: np.ndarray) -> np.ndarray:
    """Generalised Gini of each row of counts (units in columns, empty units included).

    The Gini is that of :func:`ilp_core.analysis.hotspots.concentration_from_counts`
    (``sum_i (2i - n - 1) x_(i) / (n sum x)`` over ascending counts), computed for
    all rows at once: 320 problems x 2,000 cells take 0.02 s here against 0.4 s for
    one library call per row (``tests/test_priorities.py`` checks they agree). With
    fewer incidents ``n`` than units ``N`` the most even spread possible puts one
    incident in each of ``n`` units (Gini ``1 - n / N``), so the Gini is rescaled
    to ``(G N - (N - n)) / n``: that spread scores 0 and "all in one unit" scores
    ``(n - 1) / n`` (Bernasco & Steenbeek 2017). Rows without incidents are NaN.

    Parameters
    ----------
    counts
        2-D array, one row per problem.

    Returns
    -------
    numpy.ndarray
        One value per row, 0 to 1.

    References
    ----------
    Bernasco, W., Steenbeek, W. (2017). More places than crimes: implications for
    evaluating the law of crime concentration at place. *Journal of Quantitative
    Criminology* 33, 451-467.

    Examples
    --------
    >>> generalised_gini(np.array([[4, 0, 0, 0, 0], [1, 1, 0, 1, 0], [2, 2, 2, 2, 2]]))
    array([0.75, 0.  , 0.  ])
    """
    x = np.sort(np.asarray(counts, dtype=float), axis=1)
    n_units = x.shape[1]
    total = x.sum(axis=1)
    ranks = 2.0 * np.arange(1, n_units + 1) - n_units - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        gini = (x @ ranks) / (n_units * total)
        adjusted = np.where(total < n_units, (gini * n_units - (n_units - total)) / total, gini)
    return np.where(total > 0, np.clip(adjusted, 0.0, 1.0), np.nan)


def _population(
    districts: Any, problems: pd.DataFrame, custom: Sequence[Mapping[str, Any]]
) -> np.ndarray | None:
    if districts is None or "population" not in getattr(districts, "columns", ()):
        return None
    pop = pd.Series(
        pd.to_numeric(districts["population"], errors="coerce").to_numpy(dtype=float),
        index=districts["district"].astype(str).to_numpy(),
    )
    if not np.isfinite(pop.to_numpy()).any():
        return None
    total = float(pop.sum()) if np.isfinite(pop.to_numpy()).all() else math.nan
    custom_pop = {
        str(s.get("name", "")).strip(): (
            float(pop.reindex([str(d) for d in s["districts"]]).sum(min_count=1))
            if s.get("districts")
            else total
        )
        for s in custom
    }
    out = []
    for kind, problem, district in problems[["kind", "problem", "district"]].itertuples(
        index=False
    ):
        if kind == "offence":
            out.append(total)
        elif kind == "offence_district":
            out.append(float(pop.get(str(district), math.nan)))
        else:
            out.append(custom_pop.get(str(problem), math.nan))
    return np.asarray(out, dtype=float)
