"""Near-repeat analysis: the Knox test of space-time clustering between pairs of events.

After a burglary, are nearby homes at raised risk for a few days or weeks? The
Knox test counts every pair of events by how far apart they are in space and in
time, and compares each count with what is expected if the same dates had been
shuffled among the same places (Monte Carlo permutation of the dates). A Knox
ratio well above 1 with a small p-value in the cells close in space and time is
the near-repeat signature that justifies a short-lived, local response
(cocoon watch, letters to neighbours, a patrol for the next fortnight).

This follows the Near Repeat Calculator (Ratcliffe, 2009), done so that it scales:
the Calculator enumerates all n(n-1)/2 pairs and stops working above roughly
10,000 events, and its permutations cannot be reproduced (no seed). Here:

* close pairs come from a k-d tree (``scipy.spatial.cKDTree``,
  ``sparse_distance_matrix`` block by block) up to the largest finite distance
  edge, and are stored once, grouped by distance band (4 bytes a pair);
* pairs farther apart are never enumerated: their count per time band is the
  number of ALL pairs in that time band (from the sorted dates with
  ``searchsorted``, O(n log n)) minus the close pairs in it. A permutation of the
  dates leaves the multiset of dates, hence those totals, unchanged;
* a permutation only re-counts the day gaps of the stored close pairs
  (vectorised, in chunks of 4 million pairs).

Measured on this project's 2-core machine (``benchmarks/bench_near_repeat.py``):
100,000 residential burglaries of the sample city scaled up (85 million pairs
within 500 m: the worst case, a whole city's burglaries within 15 x 20 km),
5 x 4 bands, 99 permutations: 58 s of CPU time (22 s for the pair search, 0.37 s
per permutation; 87-136 s wall time on the machine shared with other jobs) and
550 MB peak memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ilp_core.data import geo
from ilp_core.errors import IlpInputError

Metric = Literal["euclidean", "manhattan"]
_METRICS: Final[frozenset[str]] = frozenset(get_args(Metric))
#: Refuse to store more close pairs than this (about 600 MB of pair arrays).
MAX_CLOSE_PAIRS: Final[int] = 150_000_000
#: Share of the progress bar given to the pair search (about a third of the time at
#: 100,000 events and 99 permutations).
PAIR_SEARCH_SHARE: Final[float] = 0.3
#: Distances are rounded to the micrometre before binning, so a pair placed exactly on
#: a band edge (100 m) is not split by the floating-point noise of the projection.
_DISTANCE_DECIMALS: Final[int] = 6


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
    progress: Callable[[float], None] | None = None,
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
        Seed of the permutations: the same seed gives the same p-values.
    progress
        Called with the fraction done, from 0 to 1, for a progress bar: the pair
        search fills the first ``PAIR_SEARCH_SHARE`` (one call per block of
        events), then one call per permutation.

    Returns
    -------
    KnoxResult
        Observed, expected, Knox ratio and p-value tables, the tidy table, and the
        parameters used.

    Raises
    ------
    IlpInputError
        ``nearrepeat.bad_parameter`` for a non-positive band width or count or
        permutation count, ``nearrepeat.bad_metric`` for an unknown metric,
        ``nearrepeat.too_few_events`` with fewer than two usable events,
        ``nearrepeat.too_many_pairs`` when the distance bands hold more pairs than
        memory allows.

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
    if metric not in _METRICS:
        raise IlpInputError(
            "near_repeat.bad_metric", metric=metric, allowed=", ".join(sorted(_METRICS))
        )

    x, y, day, excluded = _events(incidents)
    n = len(day)
    if n < 2:
        raise IlpInputError("near_repeat.too_few_events", n=n)

    d_edges = float(spatial_bandwidth) * np.arange(spatial_bands + 1, dtype=float)
    t_edges = int(temporal_bandwidth) * np.arange(temporal_bands + 1, dtype=np.int64)
    n_s = spatial_bands + 1 + int(same_location)  # finite bands (+ same location) + beyond
    n_t = temporal_bands + 1  # finite bands + beyond

    def report(fraction: float) -> None:
        if progress is not None:
            progress(float(fraction))

    report(0.0)
    pairs = _close_pairs(
        x, y, d_edges, metric, same_location, lambda f: report(PAIR_SEARCH_SHARE * f)
    )
    n_pairs = n * (n - 1) // 2
    # Pairs per time band over ALL pairs: invariant under permutation of the dates.
    t_totals = _time_band_totals(day, t_edges, n_pairs)
    # Days since the first event, in the k-d tree's order of the events (see _close_pairs).
    rel = day[pairs.order] - day.min()
    rel = rel.astype(np.int16 if int(rel.max()) < np.iinfo(np.int16).max else np.int32)

    def table_for(days: np.ndarray) -> np.ndarray:
        close = pairs.time_bands(days, t_edges)
        beyond = t_totals - close.sum(axis=0)
        return np.vstack([close, beyond[None, :]])

    observed = table_for(rel)
    rng = np.random.default_rng(seed)
    sims = np.empty((permutations, n_s, n_t), dtype=np.int64)
    for k in range(permutations):
        sims[k] = table_for(rng.permutation(rel))
        report(PAIR_SEARCH_SHARE + (1.0 - PAIR_SEARCH_SHARE) * (k + 1) / permutations)

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
    incidents: pd.DataFrame, distance_m: float, *, metric: Metric = "euclidean"
) -> int:
    """Number of pairs of usable events at most ``distance_m`` apart.

    The pairs a Knox test with this largest distance edge stores and re-counts in
    every permutation: its cost grows with this number, not with the number of
    events (64,000 shoplifting events of one year at 1,000,000 incidents hold 98
    million pairs within 200 m, most at the same shops). Counted by a k-d tree
    without listing the pairs (0.4 s for those 98 million). Events are the ones
    :func:`knox_test` uses (coordinates and a day-precise date, not a duplicate).

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
    _check_positive_number("distance_m", distance_m)
    if metric not in _METRICS:
        raise IlpInputError(
            "near_repeat.bad_metric", metric=metric, allowed=", ".join(sorted(_METRICS))
        )
    x, y, _day, _excluded = _events(incidents)
    if len(x) < 2:
        return 0
    xy = np.column_stack([x, y])
    p = 2.0 if metric == "euclidean" else 1.0
    within = cKDTree(xy).query_ball_point(xy, float(distance_m), p=p, return_length=True)
    return (int(within.sum()) - len(xy)) // 2  # each event counts itself, each pair twice


def _check_positive_number(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)
    if not np.isfinite(value):
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise IlpInputError("near_repeat.bad_parameter", parameter=name, value=value)


def _events(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Projected coordinates and day numbers of the usable events, and what was left out."""
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    when = incidents["occurred_at"]
    no_xy = ~(np.isfinite(lat) & np.isfinite(lon))
    no_date = when.isna().to_numpy()
    month = (incidents["precision"].astype("object") == "month").to_numpy()
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
    used = incidents.loc[keep]
    if len(used) == 0:
        empty = np.empty(0)
        return empty, empty, np.empty(0, dtype=np.int64), excluded
    proj = geo.project(used)
    days = used["occurred_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    return proj.x, proj.y, days[proj.index], excluded


@dataclass(frozen=True)
class _ClosePairs:
    """Pairs of events closer than the largest finite distance edge, grouped by distance band.

    Events are numbered in the k-d tree's leaf order (``order`` maps that numbering
    back to the input), so that a pair's two events sit near each other in memory.
    Within band ``b`` the pairs are sorted by their first event ``i`` (``i < j``):
    ``counts[b, i]`` pairs start at event ``i``, and ``pieces[b]`` hold their
    second events ``j``, one array per block of events searched; ``chunks[b]``
    lists ``(piece, i0, i1, p0, p1)``: events ``i0`` to ``i1 - 1`` own
    ``pieces[b][piece][p0:p1]``. Storing ``i`` as run lengths halves the memory (4
    bytes a pair: 340 MB for the 85 million pairs within 500 m of 100,000
    burglaries) and
    turns its gather into a sequential ``np.repeat``.
    """

    order: np.ndarray
    counts: np.ndarray
    pieces: tuple[tuple[np.ndarray, ...], ...]
    chunks: tuple[tuple[tuple[int, int, int, int, int], ...], ...]

    def time_bands(self, days: np.ndarray, t_edges: np.ndarray) -> np.ndarray:
        """Pairs per distance band (rows) and time band (columns, the last one beyond).

        Counting ``gap < edge`` once per finite edge (``count_nonzero``) is 5 times
        faster than ``bincount`` of the gaps here (2.3 ms against 12.6 ms per 4
        million pairs and four edges), and the gathers run on chunks of at most
        ``_CHUNK_PAIRS`` pairs so the temporaries stay small.
        """
        n_bands = len(self.pieces)
        edges = [int(e) for e in t_edges[1:]]
        below = np.zeros((n_bands, len(edges)), dtype=np.int64)  # pairs with gap < edge
        for b in range(n_bands):
            counts, pieces = self.counts[b], self.pieces[b]
            for piece, i0, i1, p0, p1 in self.chunks[b]:
                gap = np.repeat(days[i0:i1], counts[i0:i1])
                np.subtract(gap, days[pieces[piece][p0:p1]], out=gap)
                np.abs(gap, out=gap)
                below[b] += [np.count_nonzero(gap < e) for e in edges]
        totals = self.counts.sum(axis=1)
        cum = np.column_stack([np.zeros(n_bands, dtype=np.int64), below, totals])
        return np.diff(cum, axis=1)


#: Pairs handled at once: bounds the temporary arrays (about 100 MB) whatever the data.
_CHUNK_PAIRS: Final[int] = 4_000_000


def _close_pairs(
    x: np.ndarray,
    y: np.ndarray,
    d_edges: np.ndarray,
    metric: str,
    same_location: bool,
    report: Callable[[float], None],
) -> _ClosePairs:
    """Find every pair closer than the largest finite edge and its distance band.

    The k-d tree is queried one block of consecutive events at a time
    (``sparse_distance_matrix`` of the block against all events); blocks are cut
    from each event's number of neighbours (``query_ball_point(...,
    return_length=True)``) so each yields about ``2 * _CHUNK_PAIRS`` records,
    however dense the area.
    """
    xy = np.column_stack([x, y])
    n = len(xy)
    order = cKDTree(xy).indices
    xy = xy[order]
    tree = cKDTree(xy)
    p = 2.0 if metric == "euclidean" else 1.0
    r = float(d_edges[-1])
    neighbours = tree.query_ball_point(xy, r, p=p, return_length=True)  # self included
    n_close = (int(neighbours.sum()) - n) // 2
    if n_close > MAX_CLOSE_PAIRS:
        raise IlpInputError(
            "near_repeat.too_many_pairs", pairs=n_close, limit=MAX_CLOSE_PAIRS, distance=r
        )
    cum = np.cumsum(neighbours)
    cuts = np.searchsorted(cum, np.arange(2 * _CHUNK_PAIRS, cum[-1], 2 * _CHUNK_PAIRS))
    blocks = np.unique(np.concatenate([[0], cuts, [n]]))
    n_bands = len(d_edges) - 1 + int(same_location)
    counts = np.zeros((n_bands, n), dtype=np.int64)
    # One piece of partners per band and block (no final concatenation: that would
    # double the peak memory), and the chunks each piece is processed in.
    pieces: list[list[np.ndarray]] = [[] for _ in range(n_bands)]
    chunks: list[list[tuple[int, int, int, int, int]]] = [[] for _ in range(n_bands)]
    for k0, k1 in zip(blocks[:-1], blocks[1:], strict=True):
        rec = cKDTree(xy[k0:k1]).sparse_distance_matrix(tree, r, p=p, output_type="ndarray")
        i, j = rec["i"], rec["j"]  # i counts from k0
        first = j > i + k0  # each unordered pair once, from its first event
        i, j, dist = i[first], j[first], np.round(rec["v"][first], _DISTANCE_DECIMALS)
        inside = dist < r  # a pair at exactly the largest edge belongs to the beyond band
        i, j, dist = i[inside], j[inside], dist[inside]
        band = (np.searchsorted(d_edges, dist, side="right") - 1).astype(np.int8)
        if same_location:
            band = np.where(dist == 0.0, 0, band + 1).astype(np.int8)
        # Sort by (band, i): timsort by i (the records come in runs), then a radix pass.
        by_i = np.argsort(i, kind="stable")
        by_band = by_i[np.argsort(band[by_i], kind="stable")]
        i, j, band = i[by_band], j[by_band], band[by_band]
        bounds = np.searchsorted(band, np.arange(n_bands + 1))
        for b in range(n_bands):
            lo, hi = bounds[b], bounds[b + 1]
            local = np.bincount(i[lo:hi], minlength=k1 - k0)
            counts[b, k0:k1] = local
            piece = len(pieces[b])
            chunks[b].extend((piece, k0 + a, k0 + e, p0, p1) for a, e, p0, p1 in _chunks(local))
            pieces[b].append(j[lo:hi].astype(np.int32))
        report(k1 / n)
    return _ClosePairs(
        order=order,
        counts=counts,
        pieces=tuple(tuple(p) for p in pieces),
        chunks=tuple(tuple(c) for c in chunks),
    )


def _chunks(counts: np.ndarray) -> tuple[tuple[int, int, int, int], ...]:
    """Split events into runs holding about ``_CHUNK_PAIRS`` pairs: (i0, i1, p0, p1)."""
    cum = np.concatenate([[0], np.cumsum(counts)])
    total = int(cum[-1])
    if total == 0:
        return ()
    cuts = np.searchsorted(cum, np.arange(_CHUNK_PAIRS, total, _CHUNK_PAIRS), side="left")
    edges = np.unique(np.concatenate([[0], cuts, [len(counts)]]))
    return tuple(
        (int(a), int(b), int(cum[a]), int(cum[b]))
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    )


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
