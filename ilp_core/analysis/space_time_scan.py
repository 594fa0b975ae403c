"""Emerging clusters in space and time: the prospective space-time permutation scan.

Kulldorff's space-time permutation scan statistic (as SaTScan computes it) looks
for a place and a recent stretch of time where incidents are more frequent than
the place's usual share of incidents and the period's usual share of the area's
incidents together predict. It needs no population: the expected count of a
cylinder (a circle over a time window) comes from the counts themselves,

``expected = (incidents in the circle, whole study period) x (incidents anywhere in
the window) / (all incidents)``,

so a place that is always busy, or a week that is busy everywhere, is not a
cluster; a place busier *now* than usual is. The scan is **prospective**: every
window ends on the last day, so it finds clusters that are still going on.

Each cylinder's strength is the Poisson generalised likelihood ratio (its log,
``llr``); the most likely cluster is the cylinder with the largest. Its p-value
compares that maximum with the maxima of ``permutations`` copies of the data in
which the dates are shuffled among the incidents (keeping every place's and every
day's total, and breaking only their link). The **recurrence interval** turns the
p-value into plain words: if this analysis is run ``analyses_per_year`` times a
year, a cluster this strong would arise by chance about once every
``1 / (p x analyses_per_year)`` years.

Places are the cells of a square grid (``cell_size`` metres, like SaTScan's
location ids); circles are centred on each cell with data and grow cell by cell up
to ``max_radius`` metres and ``max_share`` of the incidents; windows are
``step_days``, 2 x ``step_days``, ... up to ``max_days`` long.

References
----------
Kulldorff, M., Heffernan, R., Hartman, J., Assunção, R., Mostashari, F. (2005). A
space-time permutation scan statistic for disease outbreak detection. *PLoS
Medicine*, 2(3), e59.
Kulldorff, M. (2022). *SaTScan User Guide*, v10.1 (space-time permutation model,
recurrence interval, secondary clusters without geographical overlap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyproj
from scipy.spatial import cKDTree

from ilp_core import checks
from ilp_core.data import geo
from ilp_core.errors import IlpInputError

DEFAULT_CELL_SIZE: Final[float] = 500.0
DEFAULT_MAX_RADIUS: Final[float] = 1000.0
#: SaTScan's default largest circle: half of the incidents.
DEFAULT_MAX_SHARE: Final[float] = 0.5
DEFAULT_MAX_DAYS: Final[int] = 91
DEFAULT_STEP_DAYS: Final[int] = 7
DEFAULT_STUDY_DAYS: Final[int] = 365
DEFAULT_PERMUTATIONS: Final[int] = 999
#: How often the analysis is assumed to be run, for the recurrence interval: monthly.
DEFAULT_ANALYSES_PER_YEAR: Final[float] = 12.0
DEFAULT_MAX_CLUSTERS: Final[int] = 10
#: Cells x neighbours x windows handled per batch of replicates (about 100 MB of
#: temporaries): bounds the memory whatever the data.
_BATCH_ELEMENTS: Final[int] = 3_000_000


@dataclass(frozen=True)
class SpaceTimeScan:
    """Clusters of incidents in space and recent time, most likely first.

    Attributes
    ----------
    clusters
        One row per cluster (the most likely, then secondary clusters that share
        no cell with a more likely one): ``rank``, ``lat``/``lon`` (centre),
        ``x``/``y`` (centre in metres, ``crs``), ``radius_m`` (from the centre to
        the farthest cell centre included), ``n_cells``, ``start``/``end`` (first
        and last day of the window; ``end`` is the study's last day), ``days``,
        ``observed``, ``expected``, ``ratio`` (observed / expected), ``llr``
        (log likelihood ratio), ``p_value`` (Monte Carlo, against the most likely
        cluster of each permuted copy), ``recurrence_years``, ``significant``
        (``p_value`` < ``alpha``), ``district`` and ``top_offence`` (the most
        frequent among the cluster's incidents).
    null_llr
        The largest ``llr`` of each permuted copy, sorted.
    n_events, n_cells
        Incidents scanned and grid cells holding them.
    start, end
        The study period (first and last day).
    cell_size, max_radius, max_share, max_days, step_days, permutations, seed,
    alpha, analyses_per_year
        The settings used.
    crs
        The metric CRS of ``x``/``y``.
    excluded
        Rows left out, by reason: ``no_coordinates``, ``no_date``,
        ``month_precision`` (the day is unknown), ``duplicate``, ``outside_study``.
    """

    clusters: pd.DataFrame
    null_llr: np.ndarray
    n_events: int
    n_cells: int
    start: dt.date
    end: dt.date
    cell_size: float
    max_radius: float
    max_share: float
    max_days: int
    step_days: int
    permutations: int
    seed: int
    alpha: float
    analyses_per_year: float
    crs: str
    excluded: Mapping[str, int]


def space_time_scan(
    incidents: pd.DataFrame,
    *,
    end: dt.date | None = None,
    study_days: int = DEFAULT_STUDY_DAYS,
    cell_size: float = DEFAULT_CELL_SIZE,
    max_radius: float = DEFAULT_MAX_RADIUS,
    max_share: float = DEFAULT_MAX_SHARE,
    max_days: int = DEFAULT_MAX_DAYS,
    step_days: int = DEFAULT_STEP_DAYS,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = 0.05,
    analyses_per_year: float = DEFAULT_ANALYSES_PER_YEAR,
    max_clusters: int = DEFAULT_MAX_CLUSTERS,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> SpaceTimeScan:
    """Find the places where incidents have recently become more frequent than usual.

    See the module's description for the statistic. Incidents need coordinates
    and a date known to the day; duplicates are left out.

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    end
        Last day of the study (default: the last incident's day).
    study_days
        Length of the study period ending on ``end`` (default 365 days): the
        baseline every place's and day's usual share is taken from.
    cell_size
        Side of the grid cells, metres (default 500).
    max_radius
        Largest circle radius, metres (default 1,000).
    max_share
        Largest share of the study's incidents a circle may hold (default 0.5).
    max_days
        Longest window, days (default 91, a quarter); at most half the study period.
    step_days
        Windows are multiples of this many days (default 7; 1 for every length).
    permutations
        Permuted copies for the p-values (default 999).
    alpha
        Significance level for ``significant`` (default 0.05).
    analyses_per_year
        How often the scan is run, for the recurrence interval (default 12).
    max_clusters
        Most clusters listed (default 10).
    seed
        Seed of the permutations.
    progress
        Called with the fraction done (0 to 1) while the permutations run, for a
        progress bar; an exception it raises stops the scan (a page's cancel).

    Returns
    -------
    SpaceTimeScan

    Raises
    ------
    IlpInputError
        ``checks.*`` for bad settings; ``scan.window_too_long`` when ``max_days``
        is over half of ``study_days``; ``scan.too_few_events`` with fewer than
        10 usable incidents in the study period.

    Examples
    --------
    Nine incidents in one cell on the last two days, one a day elsewhere before:

    >>> import numpy as np
    >>> from ilp_core.data.schema import example_incidents
    >>> days = pd.date_range("2024-01-01", periods=30).tolist()
    >>> when = days + [days[-1]] * 5 + [days[-2]] * 4
    >>> lat = [45.40 + 0.002 * i for i in range(30)] + [45.5] * 9
    >>> df = example_incidents(["Theft"] * 39, occurred_at=when, lat=lat, lon=-30.5)
    >>> scan = space_time_scan(df, study_days=30, max_days=14, step_days=2,
    ...                        permutations=99, seed=1)
    >>> row = scan.clusters.iloc[0]
    >>> int(row["observed"]), str(row["start"]), bool(row["significant"])
    (9, '2024-01-29', True)
    """
    study_days = checks.whole("study_days", study_days, minimum=2)
    cell_size = checks.positive("cell_size", cell_size)
    max_radius = checks.number("max_radius", max_radius, minimum=0.0)
    max_share = checks.share("max_share", max_share)
    max_days = checks.whole("max_days", max_days, minimum=1)
    step_days = checks.whole("step_days", step_days, minimum=1, maximum=max_days)
    permutations = checks.whole("permutations", permutations, minimum=9, maximum=99_999)
    alpha = checks.share("alpha", alpha)
    analyses_per_year = checks.positive("analyses_per_year", analyses_per_year)
    max_clusters = checks.whole("max_clusters", max_clusters, minimum=1)
    seed = checks.seed("seed", seed)
    if 2 * max_days > study_days:
        raise IlpInputError("scan.window_too_long", max_days=max_days, study_days=study_days)
    ev = _events(incidents, end, study_days)
    if len(ev.day) < 10:
        raise IlpInputError("scan.too_few_events", n=len(ev.day), minimum=10)
    grid = _Grid.build(ev.x, ev.y, cell_size)
    n_win = max_days // step_days
    age = ev.last - ev.day  # 0 on the last day
    win = np.where(age < n_win * step_days, age // step_days, n_win)  # n_win: older
    total = len(ev.day)
    circles = _Circles.build(grid, max_radius, max_share * total)
    recent = np.flatnonzero(win < n_win)
    window_totals = np.cumsum(np.bincount(win[recent], minlength=n_win))  # D_l
    expected = circles.cum_total[:, None] * window_totals[None, :] / total

    observed = circles.counts(_window_counts(grid.zone, win, grid.n, n_win)[None])[0]
    llr = _llr(observed, expected, total)

    rng = np.random.default_rng(seed)
    per_copy = max(1, circles.size * n_win)
    batch = max(1, min(permutations, _BATCH_ELEMENTS // per_copy))
    null = np.empty(permutations)
    done = 0
    recent_win = win[recent]
    while done < permutations:
        b = min(batch, permutations - done)
        w = np.empty((b, grid.n, n_win))
        for r in range(b):
            chosen = rng.choice(total, size=len(recent), replace=False)
            w[r] = _window_counts(grid.zone[chosen], recent_win, grid.n, n_win)
        null[done : done + b] = _llr(circles.counts(w), expected, total).max(axis=(1, 2))
        done += b
        if progress is not None:
            progress(done / permutations)
    null.sort()
    clusters = _clusters(
        llr, observed, expected, circles, grid, ev, win, incidents, max_clusters, step_days
    )
    p = (1.0 + (len(null) - np.searchsorted(null, clusters["llr"].to_numpy(), "left"))) / (
        permutations + 1.0
    )
    clusters["p_value"] = p
    clusters["recurrence_years"] = 1.0 / (p * analyses_per_year)
    clusters["significant"] = p < alpha
    return SpaceTimeScan(
        clusters=clusters,
        null_llr=null,
        n_events=int(total),
        n_cells=int(grid.n),
        start=_date(ev.last - study_days + 1),
        end=_date(ev.last),
        cell_size=float(cell_size),
        max_radius=float(max_radius),
        max_share=float(max_share),
        max_days=int(max_days),
        step_days=int(step_days),
        permutations=int(permutations),
        seed=int(seed),
        alpha=float(alpha),
        analyses_per_year=float(analyses_per_year),
        crs=str(ev.crs.to_string()),
        excluded=ev.excluded,
    )


def log_likelihood_ratio(observed: float, expected: float, total: float) -> float:
    """Log of Kulldorff's Poisson likelihood ratio of one cylinder (0 unless observed > expected).

    ``c ln(c / mu) + (C - c) ln((C - c) / (C - mu))`` for ``c`` incidents where
    ``mu`` were expected out of ``C``.

    Examples
    --------
    Four incidents where one was expected, out of ten:

    >>> round(log_likelihood_ratio(4, 1, 10), 4)  # 4 ln 4 + 6 ln(6 / 9)
    3.1124
    """
    out = _llr(np.array([[observed]], float), np.array([[expected]], float), float(total))
    return float(out[0, 0])


def _llr(observed: np.ndarray, expected: np.ndarray, total: float) -> np.ndarray:
    # Where c <= mu the ratio is 1 (no cluster): raising c to mu gives exactly 0.
    c = np.maximum(observed, expected)
    rest = total - c
    with np.errstate(divide="ignore", invalid="ignore"):
        out = c * np.log(c / expected) + rest * np.log(rest / (total - expected))
    return np.where(c > expected, np.nan_to_num(out, nan=0.0), 0.0)


def _window_counts(zone: np.ndarray, win: np.ndarray, n_zones: int, n_win: int) -> np.ndarray:
    """Incidents per zone within the last 1, 2, ... ``n_win`` windows (cumulative)."""
    inside = win < n_win
    flat = np.bincount(zone[inside] * n_win + win[inside], minlength=n_zones * n_win)
    return np.cumsum(flat.reshape(n_zones, n_win), axis=1).astype(float)


@dataclass(frozen=True)
class _Events:
    x: np.ndarray
    y: np.ndarray
    day: np.ndarray
    last: int
    rows: np.ndarray  # positions in the incident table
    crs: pyproj.CRS
    excluded: dict[str, int]


def _events(incidents: pd.DataFrame, end: dt.date | None, study_days: int) -> _Events:
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    no_date = np.isnat(at)
    day = np.where(no_date, 0, at.astype("datetime64[D]").astype(np.int64))
    if end is not None:
        last = (end - dt.date(1970, 1, 1)).days
    elif (~no_date).any():
        last = int(day[~no_date].max())
    else:
        last = 0
    masks = (
        ("no_coordinates", ~(np.isfinite(lat) & np.isfinite(lon))),
        ("no_date", no_date),
        ("month_precision", (incidents["precision"].astype("object") == "month").to_numpy()),
        ("duplicate", incidents["duplicate"].notna().to_numpy()),
        ("outside_study", ~no_date & ((day > last) | (day <= last - study_days))),
    )
    keep = np.ones(len(incidents), dtype=bool)
    excluded: dict[str, int] = {}
    for reason, mask in masks:
        excluded[reason] = int((mask & keep).sum())
        keep &= ~mask
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        empty = np.empty(0)
        return _Events(empty, empty, np.empty(0, np.int64), last, rows, pyproj.CRS(3857), excluded)
    proj = geo.project(incidents.iloc[rows])
    return _Events(proj.x, proj.y, day[rows], last, rows, proj.crs, excluded)


@dataclass(frozen=True)
class _Grid:
    """Occupied cells: each event's zone, and each zone's centre and total."""

    zone: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    total: np.ndarray

    @property
    def n(self) -> int:
        return len(self.cx)

    @staticmethod
    def build(x: np.ndarray, y: np.ndarray, cell: float) -> _Grid:
        x0, y0 = np.floor(x.min() / cell) * cell, np.floor(y.min() / cell) * cell
        ix = np.floor((x - x0) / cell).astype(np.int64)
        iy = np.floor((y - y0) / cell).astype(np.int64)
        keys, zone = np.unique(ix * (iy.max() + 1) + iy, return_inverse=True)
        kx, ky = keys // (iy.max() + 1), keys % (iy.max() + 1)
        return _Grid(
            zone=zone.astype(np.int64),
            cx=x0 + (kx + 0.5) * cell,
            cy=y0 + (ky + 0.5) * cell,
            total=np.bincount(zone, minlength=len(keys)).astype(float),
        )


@dataclass(frozen=True)
class _Circles:
    """The circles scanned: each centre's zones by distance, and which prefixes count.

    ``neighbours`` (centre, k): zone indices by distance (padded with ``n``, an
    empty zone); a circle is a prefix ``0..k`` that ends a group of equally distant
    zones and holds at most the allowed incidents (``pair_centre``, ``pair_k``).
    """

    neighbours: np.ndarray
    distance: np.ndarray
    pair_centre: np.ndarray
    pair_k: np.ndarray
    cum_total: np.ndarray  # incidents of the study in each circle

    @property
    def size(self) -> int:
        return len(self.pair_k)

    @staticmethod
    def build(grid: _Grid, max_radius: float, max_total: float) -> _Circles:
        pts = np.column_stack([grid.cx, grid.cy])
        tree = cKDTree(pts)
        lists = tree.query_ball_point(pts, r=max_radius * (1 + 1e-9) + 1e-6)
        width = max(len(nb) for nb in lists)
        nbrs = np.full((grid.n, width), grid.n, dtype=np.int64)
        dist = np.full((grid.n, width), np.inf)
        for i, nb in enumerate(lists):
            nb = np.asarray(nb, dtype=np.int64)
            d = np.round(np.hypot(grid.cx[nb] - grid.cx[i], grid.cy[nb] - grid.cy[i]), 6)
            order = np.lexsort((nb, d))
            nbrs[i, : len(nb)], dist[i, : len(nb)] = nb[order], d[order]
        totals = np.append(grid.total, 0.0)[nbrs]
        cum = np.cumsum(totals, axis=1)
        group_end = np.ones_like(dist, dtype=bool)
        group_end[:, :-1] = dist[:, 1:] != dist[:, :-1]
        ok = group_end & np.isfinite(dist) & (cum <= max_total)
        centre, k = np.nonzero(ok)
        return _Circles(nbrs, dist, centre, k, cum[centre, k])

    def counts(self, window_counts: np.ndarray) -> np.ndarray:
        """Incidents in each circle and window, for a stack of (copy, zone, window) counts."""
        padded = np.concatenate(
            [window_counts, np.zeros((window_counts.shape[0], 1, window_counts.shape[2]))], axis=1
        )
        width = int(self.pair_k.max()) + 1
        cum = np.cumsum(padded[:, self.neighbours[:, :width]], axis=2)
        return cum[:, self.pair_centre, self.pair_k]


def _clusters(
    llr: np.ndarray,
    observed: np.ndarray,
    expected: np.ndarray,
    circles: _Circles,
    grid: _Grid,
    ev: _Events,
    win: np.ndarray,
    incidents: pd.DataFrame,
    max_clusters: int,
    step_days: int,
) -> pd.DataFrame:
    """The most likely cluster and the secondary ones sharing no cell with a better one."""
    flat = np.argsort(-llr, axis=None, kind="stable")
    taken = np.zeros(grid.n + 1, dtype=bool)
    seen_centre: set[int] = set()
    rows = []
    for f in flat:
        pair, w = divmod(int(f), llr.shape[1])
        if llr[pair, w] <= 0 or len(rows) >= max_clusters:
            break
        centre, k = int(circles.pair_centre[pair]), int(circles.pair_k[pair])
        if centre in seen_centre:
            continue
        seen_centre.add(centre)
        zones = circles.neighbours[centre, : k + 1]
        if taken[zones].any():
            continue
        taken[zones] = True
        rows.append((centre, k, w, pair))
    records = []
    transformer = pyproj.Transformer.from_crs(ev.crs, geo.WGS84, always_xy=True)
    for rank, (centre, k, w, pair) in enumerate(rows, start=1):
        zones = circles.neighbours[centre, : k + 1]
        members = np.isin(grid.zone, zones) & (win <= w)
        lon, lat = transformer.transform(grid.cx[centre], grid.cy[centre])
        days = (w + 1) * step_days
        records.append(
            {
                "rank": rank,
                "lat": float(lat),
                "lon": float(lon),
                "x": float(grid.cx[centre]),
                "y": float(grid.cy[centre]),
                "radius_m": float(circles.distance[centre, k]),
                "n_cells": int(k + 1),
                "start": _date(ev.last - days + 1),
                "end": _date(ev.last),
                "days": int(days),
                "observed": int(round(observed[pair, w])),
                "expected": float(expected[pair, w]),
                "ratio": float(observed[pair, w] / expected[pair, w]),
                "llr": float(llr[pair, w]),
                "district": _most_common(incidents["district"].iloc[ev.rows[members]]),
                "top_offence": _most_common(incidents["offence"].iloc[ev.rows[members]]),
            }
        )
    columns = [
        "rank", "lat", "lon", "x", "y", "radius_m", "n_cells", "start", "end", "days",
        "observed", "expected", "ratio", "llr", "district", "top_offence",
    ]  # fmt: skip
    return pd.DataFrame(records, columns=columns)


def _most_common(values: pd.Series) -> str:
    counts = values.dropna().astype("object").value_counts(sort=True)
    return str(counts.index[0]) if len(counts) else ""


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))
