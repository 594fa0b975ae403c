"""The Knox test and its result: events, band edges and labels, the permutation loop.

The pair search and the counting by time band are in :mod:`._pairs` (on compiled
kernels, :mod:`._kernels`); see the package's docstring for the algorithm.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ilp_core import checks
from ilp_core.data import geo
from ilp_core.errors import Cancelled, IlpInputError

Metric = Literal["euclidean", "manhattan"]
_METRICS: Final[frozenset[str]] = frozenset(get_args(Metric))
#: Refuse to store more close pairs than this (about 600 MB of pair arrays).
MAX_CLOSE_PAIRS: Final[int] = 150_000_000
#: Share of the progress bar given to the pair search (about a third of the time at
#: 100,000 events and 99 permutations).
PAIR_SEARCH_SHARE: Final[float] = 0.3


@dataclass(frozen=True)
class KnoxResult:
    """Knox table of a near-repeat analysis and everything needed to reproduce it.

    Every table is indexed by the spatial band label (rows, nearest first) and has
    one column per temporal band label (soonest first). Labels are half-open
    intervals ``[a, b)`` in metres and days; ``0`` is the same-location band,
    ``(0, b)`` the first band when same-location pairs are counted separately, and
    ``[a, inf)`` the band beyond the largest finite edge.

    Attributes
    ----------
    observed
        Number of pairs of events in each cell (sums to n(n-1)/2).
    expected
        Mean number of pairs in each cell over the permutations of the dates.
    ratio
        Knox ratio, ``observed / expected`` (NaN where nothing was expected).
    p_value
        Monte Carlo p-value of a cell holding at least as many pairs as observed:
        ``(1 + #simulations >= observed) / (1 + permutations)``.
    table
        The same numbers as one tidy table for download: ``spatial_band``,
        ``temporal_band``, ``distance_from_m``, ``distance_to_m``, ``days_from``,
        ``days_to``, ``observed``, ``expected``, ``knox_ratio``, ``p_value``.
    distance_edges, day_edges
        Finite band edges in metres and days (first edge 0).
    same_location
        Whether pairs at distance 0 have their own band.
    metric
        ``"euclidean"`` or ``"manhattan"`` distance in projected metres.
    permutations, seed
        Monte Carlo settings.
    n_events
        Events used; ``n_pairs`` = n(n-1)/2 pairs compared.
    start, end
        First and last date of the events used.
    excluded
        Rows left out, by reason (``no_coordinates``, ``no_date``,
        ``month_precision``, ``duplicate``).
    """

    observed: pd.DataFrame
    expected: pd.DataFrame
    ratio: pd.DataFrame
    p_value: pd.DataFrame
    table: pd.DataFrame
    distance_edges: tuple[float, ...]
    day_edges: tuple[int, ...]
    same_location: bool
    metric: str
    permutations: int
    seed: int | None
    n_events: int
    n_pairs: int
    start: dt.date
    end: dt.date
    excluded: Mapping[str, int]


def knox_test(
    incidents: pd.DataFrame,
    *,
    spatial_bandwidth: float = 100.0,
    spatial_bands: int = 5,
    temporal_bandwidth: int = 7,
    temporal_bands: int = 4,
    metric: Metric = "euclidean",
    same_location: bool = True,
    permutations: int = 99,
    seed: int | None = 0,
    progress: Callable[[float], bool | None] | None = None,
    projected: geo.Projected | None = None,
) -> KnoxResult:
    """Test whether events close in space also happen close in time (near repeats).

    For an analyst: a cell such as "0-200 m, 0-14 days" with a Knox ratio of 1.5 and
    p <= 0.01 means that, within two weeks of an event, events within 200 m of it
    are 50 % more common than if timing were unrelated to place: the window in
    which to warn and protect the neighbours.

    Pass the incidents of one offence type (e.g. residential burglary). Each event
    is dated by the calendar day of ``occurred_at`` (the start of a from/to
    window, as in the Near Repeat Calculator); rows without coordinates or date,
    rows known only to the month, and rows flagged as duplicates are left out and
    counted in ``excluded``.

    Parameters
    ----------
    incidents
        Canonical incident table (see :mod:`ilp_core.data.schema`); not modified.
    spatial_bandwidth, spatial_bands
        Width in metres and number of the finite distance bands: 100 and 5 give
        ``[0, 100)`` ... ``[400, 500)`` plus ``[500, inf)``.
    temporal_bandwidth, temporal_bands
        Width in days and number of the finite time bands: 7 and 4 give
        ``[0, 7)`` ... ``[21, 28)`` plus ``[28, inf)``. Days apart are whole
        calendar days, so ``[0, 7)`` means the same day up to six days apart.
    metric
        ``"euclidean"`` (straight line) or ``"manhattan"`` (along a street grid),
        in metres after projection to the data's UTM zone.
    same_location
        Count pairs at exactly the same point in their own band ``0`` (repeat
        victimisation), the first distance band then being ``(0, bandwidth)``.
    permutations
        Number of Monte Carlo permutations of the dates (99 gives p >= 0.01).
    seed
        Seed of the permutations (a whole number from 0 to 2**32 - 1): the same
        seed gives the same p-values; ``None`` draws a fresh one.
    progress
        Called with the fraction done, from 0 to 1, for a progress bar, on the
        calling thread: the pair search fills the first ``PAIR_SEARCH_SHARE`` (one
        call per block of grid cells, two passes), then one call per pass of eight
        tables (the observed dates and permutations), a fraction of a second
        apart. Returning ``False`` (or raising :class:`Cancelled`) stops the test.
    projected
        The incidents' points in metres when the caller has them (a part of a
        larger table: ``geo.projection(table).select(rows)``, in that table's CRS);
        ``None``: projected here, in the incidents' own UTM zone.

    Returns
    -------
    KnoxResult
        Observed, expected, Knox ratio and p-value tables, the tidy table, and the
        parameters used.

    Raises
    ------
    IlpInputError
        ``near_repeat.bad_parameter`` for a non-positive band width or count or
        permutation count, ``near_repeat.bad_metric`` for an unknown metric,
        ``near_repeat.too_few_events`` with fewer than two usable events,
        ``near_repeat.too_many_pairs`` when the distance bands hold more pairs than
        memory allows, ``checks.whole`` for a seed that is not a whole number
        from 0 to 2**32 - 1.
    Cancelled
        When ``progress`` returned ``False`` or raised it: the work stops within
        a block (a fraction of a second) and nothing is returned.

    References
    ----------
    Knox, G. (1964). The detection of space-time interactions. *Journal of the
    Royal Statistical Society C*, 13(1), 25-30.
    Ratcliffe, J. H. (2009). *Near Repeat Calculator* (version 1.3), Temple
    University and National Institute of Justice; manual section "Methodology".
    Johnson, S. D., Bernasco, W., et al. (2007). Space-time patterns of risk: a
    cross national assessment of residential burglary victimization. *Journal of
    Quantitative Criminology*, 23, 201-219.

    Examples
    --------
    Two burglaries at the same house three days apart and one 2 km away a month
    later: 3 pairs, one of them in the same-location, ``[0, 7)`` cell.

    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> df = coerce_incidents(pd.DataFrame({
    ...     "incident_id": ["a", "b", "c"],
    ...     "occurred_at": pd.to_datetime(["2024-03-01", "2024-03-04", "2024-04-01"]),
    ...     "occurred_to": pd.NaT, "precision": "day", "offence": "Burglary",
    ...     "lat": [45.5, 45.5, 45.52], "lon": [-30.5, -30.5, -30.5],
    ...     "district": None, "location_id": None, "source_row": [2, 3, 4],
    ...     "duplicate": None}))
    >>> res = knox_test(df, permutations=9, seed=1)
    >>> int(res.observed.loc["0", "[0, 7)"]), int(res.observed.to_numpy().sum())
    (1, 3)
    """
    _check_positive_number("spatial_bandwidth", spatial_bandwidth)
    _check_positive_int("spatial_bands", spatial_bands)
    _check_positive_int("temporal_bandwidth", temporal_bandwidth)
    _check_positive_int("temporal_bands", temporal_bands)
    _check_positive_int("permutations", permutations)
    same_location = checks.flag("same_location", same_location)
    if seed is not None:
        seed = checks.seed("seed", seed)
    if not isinstance(metric, str) or metric not in _METRICS:
        raise IlpInputError(
            "near_repeat.bad_metric", metric=str(metric), allowed=", ".join(sorted(_METRICS))
        )

    x, y, day, excluded = _events(incidents, projected)
    n = len(day)
    if n < 2:
        raise IlpInputError("near_repeat.too_few_events", n=n)

    d_edges = float(spatial_bandwidth) * np.arange(spatial_bands + 1, dtype=float)
    t_edges = int(temporal_bandwidth) * np.arange(temporal_bands + 1, dtype=np.int64)
    n_s = spatial_bands + 1 + int(same_location)  # finite bands (+ same location) + beyond
    n_t = temporal_bands + 1  # finite bands + beyond

    def report(fraction: float) -> None:
        if progress is not None and progress(float(fraction)) is False:
            raise Cancelled()

    report(0.0)
    from ilp_core.analysis.near_repeat import _pairs  # numba: loaded on the first Knox test

    n_pairs = n * (n - 1) // 2
    # Pairs per time band over ALL pairs: invariant under permutation of the dates.
    t_totals = _time_band_totals(day, t_edges, n_pairs)
    # The dates are permuted in the k-d tree's leaf order of the events, as before
    # the compiled kernels, so a seed gives the same permutations as it always did.
    order = cKDTree(np.column_stack([x, y])).indices
    rel = day[order] - day.min()
    rng = np.random.default_rng(seed)

    def permuted() -> np.ndarray:
        days = np.empty_like(rel)
        days[order] = rng.permutation(rel)
        return days

    tables = np.empty((permutations + 1, n_s, n_t), dtype=np.int64)  # observed first
    with ThreadPoolExecutor(_pairs.workers(), thread_name_prefix="knox") as pool:
        pairs = _pairs.close_pairs(
            x, y, d_edges, metric, same_location, pool,
            lambda f: report(PAIR_SEARCH_SHARE * f), MAX_CLOSE_PAIRS,
        )  # fmt: skip
        # Up to eight tables a pass over the pairs: the observed dates, then permutations.
        for start in range(0, permutations + 1, _pairs.DAYS_PER_PASS):
            stop = min(permutations + 1, start + _pairs.DAYS_PER_PASS)
            days = [day if k == 0 else permuted() for k in range(start, stop)]
            close = pairs.time_bands(days, t_edges, pool)
            tables[start:stop, :-1] = close
            tables[start:stop, -1] = t_totals[None, :] - close.sum(axis=1)
            report(PAIR_SEARCH_SHARE + (1.0 - PAIR_SEARCH_SHARE) * (stop - 1) / permutations)
    observed, sims = tables[0], tables[1:]

    expected = sims.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / np.where(expected > 0, expected, 1.0), np.nan)
    p_value = (1 + (sims >= observed[None, :, :]).sum(axis=0)) / (1 + permutations)

    s_labels, s_from, s_to = _spatial_labels(d_edges, same_location)
    t_labels = [*(_interval(a, b) for a, b in zip(t_edges[:-1], t_edges[1:], strict=True))]
    t_labels.append(_interval(t_edges[-1], np.inf))
    t_from = [float(v) for v in t_edges]
    t_to = [*(float(v) for v in t_edges[1:]), np.inf]

    def frame(values: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(values, index=pd.Index(s_labels, name="spatial_band"), columns=t_labels)
        out.columns.name = "temporal_band"
        return out

    tidy = pd.DataFrame(
        {
            "spatial_band": np.repeat(s_labels, n_t),
            "temporal_band": np.tile(t_labels, n_s),
            "distance_from_m": np.repeat(s_from, n_t),
            "distance_to_m": np.repeat(s_to, n_t),
            "days_from": np.tile(t_from, n_s),
            "days_to": np.tile(t_to, n_s),
            "observed": observed.ravel(),
            "expected": expected.ravel(),
            "knox_ratio": ratio.ravel(),
            "p_value": p_value.ravel(),
        }
    )
    first, last = int(day.min()), int(day.max())
    epoch = dt.date(1970, 1, 1)
    return KnoxResult(
        observed=frame(observed),
        expected=frame(expected),
        ratio=frame(ratio),
        p_value=frame(p_value),
        table=tidy,
        distance_edges=tuple(float(v) for v in d_edges),
        day_edges=tuple(int(v) for v in t_edges),
        same_location=bool(same_location),
        metric=str(metric),
        permutations=int(permutations),
        seed=seed,
        n_events=n,
        n_pairs=n_pairs,
        start=epoch + dt.timedelta(days=first),
        end=epoch + dt.timedelta(days=last),
        excluded=excluded,
    )


def count_close_pairs(
    incidents: pd.DataFrame,
    distance_m: float,
    *,
    metric: Metric = "euclidean",
    projected: geo.Projected | None = None,
) -> int:
    """Number of pairs of usable events at most ``distance_m`` apart.

    The pairs a Knox test with this largest distance edge stores and re-counts in
    every permutation: its cost grows with this number, not with the number of
    events (64,000 shoplifting events of one year at 1,000,000 incidents hold 98
    million pairs within 200 m, most at the same shops). Counted by a k-d tree
    against itself, node by node, without listing the pairs (0.4 s for those 98
    million point by point; 64,000 clustered events with 7.4 million pairs took
    0.14 s point by point, 0.065 s node by node). Events are the ones
    :func:`knox_test` uses (coordinates and a day-precise date, not a duplicate);
    ``projected`` as there.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> df = coerce_incidents(pd.DataFrame({
    ...     "incident_id": ["a", "b", "c"],
    ...     "occurred_at": pd.to_datetime(["2024-03-01", "2024-03-04", "2024-04-01"]),
    ...     "occurred_to": pd.NaT, "precision": "day", "offence": "Burglary",
    ...     "lat": [45.5, 45.5, 45.52], "lon": [-30.5, -30.5, -30.5],
    ...     "district": None, "location_id": None, "source_row": [2, 3, 4],
    ...     "duplicate": None}))
    >>> count_close_pairs(df, 100.0), count_close_pairs(df, 5_000.0)
    (1, 3)
    """
    x, y = _pair_points(incidents, distance_m, metric, projected)
    if len(x) < 2:
        return 0
    xy = np.column_stack([x, y])
    p = 2.0 if metric == "euclidean" else 1.0
    tree = cKDTree(xy)
    within = tree.count_neighbors(tree, float(distance_m), p=p)
    return (int(within) - len(xy)) // 2  # each event counts itself, each pair twice


def count_stored_pairs(
    incidents: pd.DataFrame,
    distance_m: float,
    *,
    metric: Metric = "euclidean",
    projected: geo.Projected | None = None,
) -> int:
    """Number of pairs a Knox test whose largest distance edge is ``distance_m`` stores.

    The pairs of usable events closer than ``distance_m`` once their distance is
    rounded to the micrometre, as :func:`knox_test` bins them (a pair exactly
    ``distance_m`` apart is beyond; :func:`count_close_pairs` counts it). Counted
    by the test's own grid search without storing the pairs: 10,000 clustered
    events with 40,000-2,400,000 such pairs take 2-4 ms, against 7-16 ms for
    :func:`count_close_pairs`' k-d tree. ``projected`` as in :func:`knox_test`.

    Examples
    --------
    Two burglaries at one house and a third 2.2 km north of it:

    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> rows = [("a", "2024-03-01", 45.5), ("b", "2024-03-04", 45.5), ("c", "2024-04-01", 45.52)]
    >>> table = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "lat"])
    >>> table = coerce_incidents(table.assign(
    ...     occurred_at=pd.to_datetime(table["occurred_at"]), occurred_to=pd.NaT,
    ...     precision="day", offence="Burglary", lon=-30.5, district=None, location_id=None,
    ...     source_row=[2, 3, 4], duplicate=None))
    >>> count_stored_pairs(table, 100.0), count_stored_pairs(table, 5_000.0)
    (1, 3)
    """
    x, y = _pair_points(incidents, distance_m, metric, projected)
    from ilp_core.analysis.near_repeat import _pairs  # numba: loaded on the first Knox test

    with ThreadPoolExecutor(_pairs.workers(), thread_name_prefix="knox") as pool:
        return _pairs.count_pairs(x, y, float(distance_m), str(metric), pool)


def _pair_points(
    incidents: pd.DataFrame, distance_m: float, metric: str, projected: geo.Projected | None
) -> tuple[np.ndarray, np.ndarray]:
    """The usable events' points for a pair count, once its arguments are checked."""
    _check_positive_number("distance_m", distance_m)
    if not isinstance(metric, str) or metric not in _METRICS:
        raise IlpInputError(
            "near_repeat.bad_metric", metric=str(metric), allowed=", ".join(sorted(_METRICS))
        )
    x, y, _day, _excluded = _events(incidents, projected)
    return x, y


def warm_up() -> float:
    """Make the Knox test's compiled kernels ready now; return the seconds it took.

    The first Knox test of a new installation compiles its kernels (a few seconds)
    and numba caches them on disk; later processes only load them (a fraction of
    a second, plus importing numba). An app can call this in a background thread
    at start so that nobody's first click waits for it.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    start = time.perf_counter()
    from ilp_core.analysis.near_repeat import _pairs

    x, y = np.array([0.0, 50.0, 400.0]), np.zeros(3)
    with ThreadPoolExecutor(1) as pool:
        pairs = _pairs.close_pairs(
            x, y, np.array([0.0, 100.0, 200.0]), "euclidean", True, pool, lambda _f: None, 10
        )
        pairs.time_bands([np.array([0, 3, 40])], np.array([0, 7, 14]), pool)
    return time.perf_counter() - start


def _check_positive_number(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)
    if not np.isfinite(value):
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)


def _events(
    incidents: pd.DataFrame, projected: geo.Projected | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Projected coordinates and day numbers of the usable events, and what was left out.

    ``projected``: the incidents' points when the caller has them (else projected here).
    """
    checks.columns(incidents, ("lat", "lon", "occurred_at", "precision", "duplicate"))
    rows = incidents["source_row"] if "source_row" in incidents.columns else None
    lat, lon = checks.coordinates(incidents["lat"], incidents["lon"], table="incidents", rows=rows)
    when = incidents["occurred_at"]
    no_xy = ~(np.isfinite(lat) & np.isfinite(lon))
    no_date = when.isna().to_numpy()
    # compared on the column itself (a category compares its codes): as Python
    # objects, a year of one priority's incidents at 10,000,000 took 0.1 s a test
    month = (incidents["precision"] == "month").to_numpy(dtype=bool)
    dup = incidents["duplicate"].notna().to_numpy()
    excluded: dict[str, int] = {}
    keep = np.ones(len(incidents), dtype=bool)
    for reason, mask in (
        ("no_coordinates", no_xy),
        ("no_date", no_date),
        ("month_precision", month),
        ("duplicate", dup),
    ):
        excluded[reason] = int((mask & keep).sum())
        keep &= ~mask
    if not keep.any():
        empty = np.empty(0)
        return empty, empty, np.empty(0, dtype=np.int64), excluded
    if projected is None:
        proj = geo.project(incidents.loc[keep])
    elif not isinstance(projected, geo.Projected) or len(projected.index) != int((~no_xy).sum()):
        raise ValueError("projected is not a projection of these incidents (geo.Projected)")
    else:
        proj = projected.select(keep)  # the rows themselves are not copied: only their days
    at = when.to_numpy(dtype="datetime64[ns]")[keep]
    days = at.astype("datetime64[D]").astype(np.int64)
    return proj.x, proj.y, days[proj.index], excluded


def _time_band_totals(day: np.ndarray, t_edges: np.ndarray, n_pairs: int) -> np.ndarray:
    """Number of pairs (over all n(n-1)/2) whose days apart fall in each time band."""
    ts = np.sort(day)
    rank = np.arange(len(ts))
    below = np.array(
        [int((np.searchsorted(ts, ts + e, side="left") - rank - 1).sum()) for e in t_edges[1:]],
        dtype=np.int64,
    )  # pairs with days apart < edge
    return np.diff(np.concatenate([[0], below, [n_pairs]]))


def _fmt(v: float) -> str:
    if np.isinf(v):
        return "inf"
    return f"{v:g}"


def _interval(a: float, b: float) -> str:
    return f"[{_fmt(a)}, {_fmt(b)})"


def _spatial_labels(
    d_edges: np.ndarray, same_location: bool
) -> tuple[list[str], list[float], list[float]]:
    labels = [_interval(a, b) for a, b in zip(d_edges[:-1], d_edges[1:], strict=True)]
    lo = [float(v) for v in d_edges[:-1]]
    hi = [float(v) for v in d_edges[1:]]
    if same_location:
        labels[0] = f"(0, {_fmt(d_edges[1])})"
        labels.insert(0, "0")
        lo.insert(0, 0.0)
        hi.insert(0, 0.0)
    labels.append(_interval(d_edges[-1], np.inf))
    lo.append(float(d_edges[-1]))
    hi.append(np.inf)
    return labels, lo, hi
