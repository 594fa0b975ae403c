"""Hot-spot change over time: Gi* per equal period, then persistent, emerging, former...

:func:`default_period_days` chooses the period length from the span of the data;
:func:`hotspot_change` cuts the data into periods ending on its last day and
classes each cell by the rules of :class:`~ilp_core.analysis.hotspots.ChangeThresholds`.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage, stats

from ilp_core import checks
from ilp_core.analysis.hotspots._common import _cell_table, _layout
from ilp_core.analysis.hotspots._getis_ord import gi_star_z
from ilp_core.analysis.hotspots._gi_inference import (
    MIN_HOT_INCIDENTS,
    NORMAL_MIN_EXPECTED,
    expected_per_neighbourhood,
    gi_p_values,
)
from ilp_core.analysis.hotspots._results import CHANGE_CLASSES, ChangeThresholds, HotspotChange
from ilp_core.analysis.temporal._common import _incident_days
from ilp_core.data import geo
from ilp_core.errors import IlpInputError, Message


def default_period_days(span_days: int) -> int:
    """Return the default period length for data spanning ``span_days`` days.

    7 days up to three months (92 days), 28 days up to two years (731 days), 91
    days beyond.

    Examples
    --------
    >>> default_period_days(90), default_period_days(731), default_period_days(1096)
    (7, 28, 91)
    """
    span_days = checks.whole("span_days", span_days, minimum=0)
    if span_days <= 92:
        return 7
    if span_days <= 731:
        return 28
    return 91


def hotspot_change(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    cell_size: float | None = None,
    period_days: int | None = None,
    recent_periods: int | None = None,
    fdr: bool = True,
    alpha: float = 0.05,
    persistent_share: float = 0.75,
    emerging_recent_share: float = 0.5,
    emerging_before_share: float = 0.25,
    former_before_share: float = 0.25,
    projected: geo.Projected | None = None,
) -> HotspotChange:
    """Class each cell as a persistent, emerging, former or intermittent hot spot.

    The data are cut into equal periods ending on the last day of the data (the
    first, incomplete period is left out with a warning); Gi* is computed per
    period on one grid (:func:`gi_star_z` on the stack of period counts, one
    convolution for all periods), and a cell is hot in a period when its z is
    positive, its p-value (FDR-adjusted within the period when ``fdr``) is
    below ``alpha``, and its neighbourhood holds at least ``MIN_HOT_INCIDENTS``
    (3) incidents in that period. Periods are sparse: where a neighbourhood
    expects fewer than 30 incidents, p-values are also checked against an exact
    count test (as in :func:`gi_star`). The
    rules are those of :class:`ChangeThresholds`.

    Parameters
    ----------
    incidents
        Canonical incident table (``occurred_at``, ``lat``, ``lon``).
    districts
        Optional boundaries defining the study area.
    cell_size
        Grid cell size in metres (``None``: automatic).
    period_days
        Length of a period in days; ``None``: :func:`default_period_days`.
    recent_periods
        How many of the last periods are "recent"; ``None``: one eighth of the
        periods, rounded, at least 1 (3 of 26 four-week periods in two years).
    fdr, alpha
        Significance of "hot" in a period (default: FDR-adjusted p < 0.05).
    persistent_share, emerging_recent_share, emerging_before_share, former_before_share
        Class thresholds (shares of periods, see :class:`ChangeThresholds`).
    projected
        The incidents' points in metres when the caller has them (a part of a
        larger table: ``geo.projection(table).select(rows)``, in that table's CRS);
        ``None``: projected here, in the incidents' own UTM zone.

    Returns
    -------
    HotspotChange

    References
    ----------
    Chainey, S. (2014). Examining the extent to which hotspot analysis can support
    spatial predictions of crime. PhD thesis, UCL.
    ESRI. How Emerging Hot Spot Analysis works (ArcGIS Pro documentation).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 364, 4000), "D")
    >>> lat, lon = 45.5 + rng.uniform(0, 0.05, 4000), -30.5 + rng.uniform(0, 0.07, 4000)
    >>> cluster = np.flatnonzero(days >= pd.Timestamp("2024-10-01"))[:600]
    >>> lat[cluster], lon[cluster] = 45.52, -30.47  # a cluster in the last quarter only
    >>> inc = pd.DataFrame({"occurred_at": days, "lat": lat, "lon": lon})
    >>> res = hotspot_change(inc, cell_size=500)
    >>> res.period_days, res.n_periods, res.thresholds.recent_periods
    (28, 13, 2)
    >>> res.table.loc[res.table["count"].idxmax(), "change_class"]
    'emerging'
    """
    fdr = checks.flag("fdr", fdr)
    alpha = checks.share("alpha", alpha)
    persistent_share = checks.share("persistent_share", persistent_share)
    emerging_recent_share = checks.share("emerging_recent_share", emerging_recent_share)
    emerging_before_share = checks.share("emerging_before_share", emerging_before_share)
    former_before_share = checks.share("former_before_share", former_before_share)
    if period_days is not None:
        period_days = checks.whole("period_days", period_days, minimum=1)
    if recent_periods is not None:
        recent_periods = checks.whole("recent_periods", recent_periods, minimum=1)
    checks.columns(incidents, ("occurred_at", "lat", "lon"), table="incidents")
    # Day numbers shared with the "when" analyses of the same table (kept per column):
    # converting 10,000,000 timestamps here again took 4.6 s.
    day, no_date = _incident_days(incidents)
    dated = ~no_date
    if not dated.any():
        raise IlpInputError("hotspots.no_dates", columns=("occurred_at",))
    # the same key as the other statistics' when projected here (memo: args by position)
    extra = () if projected is None else (projected,)
    layout = _layout(incidents, districts, cell_size, *extra)
    grid = layout.grid
    # no copies of the dated days (2 x 80 MB at 10,000,000 incidents)
    last = int(day.max(where=dated, initial=np.iinfo(np.int64).min))
    first = int(day.min(where=dated, initial=last))
    span = last - first + 1
    if period_days is None:
        period_days = default_period_days(span)
    n_periods = span // period_days
    if recent_periods is None:
        recent_periods = max(1, round(n_periods / 8))
    needed = recent_periods + 2
    if n_periods < needed:
        raise IlpInputError(
            "hotspots.change_too_short",
            span_days=span,
            n_periods=n_periods,
            period_days=period_days,
            needed=needed,
            recent=recent_periods,
        )
    start_day = last + 1 - n_periods * period_days
    start = np.datetime64(start_day, "D")
    from ilp_core.analysis.hotspots import _binning  # imports numba: on the first change map

    stack, n_early, n_undated = _binning.period_stack(
        *_binning.read_only(day, no_date, layout.kept, layout.cell),
        start_day, period_days, n_periods, grid.n_cells,
    )  # fmt: skip
    stack = stack.reshape((n_periods, *grid.shape))
    notes = list(layout.warnings)
    if n_early:
        notes.append(
            Message("hotspots.before_first_period", {"n": n_early, "start": _to_date(start)})
        )
    if n_undated:
        notes.append(Message("hotspots.undated", {"n": n_undated}))
    z = gi_star_z(stack, layout.in_area)
    mask = layout.in_area
    zz = z[:, mask]
    p, sums = _period_p_values(stack, mask, zz, alpha, notes)
    p_used = stats.false_discovery_control(p, axis=1, method="bh") if fdr else p
    hot_area = (zz > 0) & (p_used < alpha) & (sums >= MIN_HOT_INCIDENTS)
    hot = np.zeros(stack.shape, dtype=bool)
    hot[:, mask] = hot_area
    flat_periods = int(np.sum([np.all(v == v[0]) for v in stack[:, mask]]))
    if flat_periods:
        notes.append(Message("hotspots.flat_periods", {"n": flat_periods}))

    thresholds = ChangeThresholds(
        recent_periods=recent_periods,
        persistent_share=float(persistent_share),
        emerging_recent_share=float(emerging_recent_share),
        emerging_before_share=float(emerging_before_share),
        former_before_share=float(former_before_share),
        alpha=float(alpha),
    )
    n_hot = hot_area.sum(axis=0)
    n_recent = hot_area[-recent_periods:].sum(axis=0)
    n_before = hot_area[:-recent_periods].sum(axis=0)
    classes = _change_classes(n_hot, n_recent, n_before, n_periods, thresholds)
    ever = n_hot > 0
    first_hot = np.where(ever, np.argmax(hot_area, axis=0) + 1, 0)
    last_hot = np.where(ever, n_periods - np.argmax(hot_area[::-1], axis=0), 0)
    first_arr = pd.array(first_hot, dtype="Int64")
    last_arr = pd.array(last_hot, dtype="Int64")
    first_arr[~ever] = pd.NA
    last_arr[~ever] = pd.NA
    area = {
        "n_hot": n_hot,
        "n_hot_recent": n_recent,
        "n_hot_before": n_before,
        "share_hot": n_hot / n_periods,
        "first_hot_period": first_arr,
        "last_hot_period": last_arr,
        "change_class": pd.Categorical(classes, categories=CHANGE_CLASSES),
    }
    table = _cell_table(layout, {"count": stack.sum(axis=0)}, area)

    starts = start + np.arange(n_periods) * np.timedelta64(period_days, "D")
    periods = pd.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "start": pd.to_datetime(starts),
            "end": pd.to_datetime(starts + np.timedelta64(period_days - 1, "D")),
            "n_incidents": stack.sum(axis=(1, 2)),
            "n_hot_cells": hot_area.sum(axis=1),
            "recent": np.arange(n_periods) >= n_periods - recent_periods,
        }
    )
    return HotspotChange(
        table=table,
        periods=periods,
        hot=hot,
        z=z,
        thresholds=thresholds,
        period_days=period_days,
        n_periods=n_periods,
        fdr=fdr,
        grid=grid,
        in_area=layout.in_area,
        warnings=tuple(notes),
    )


def _period_p_values(
    stack: np.ndarray, mask: np.ndarray, zz: np.ndarray, alpha: float, notes: list[Message]
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* p-values per period (discrete where counts are few) and neighbourhood counts.

    Both are ``(n_periods, n_area_cells)``; a note says in how many periods the
    discrete test was used (see :func:`gi_p_values`). Only "p below ``alpha``"
    is used here, so the exact test runs only where the normal p is below it.
    """
    kernel = np.ones((1, 3, 3), dtype=np.int64)
    sums = ndimage.convolve(np.where(mask, stack, 0), kernel, mode="constant")[:, mask]
    size = ndimage.convolve(mask.astype(np.int64), kernel[0], mode="constant")[mask]
    p = np.empty(zz.shape)
    expected = []
    for t in range(len(stack)):
        values = stack[t][mask]
        p[t], inference = gi_p_values(values, sums[t], size, zz[t], below=alpha)
        if inference == "discrete":
            expected.append(expected_per_neighbourhood(values, size))
    if expected:
        params = {
            "n": len(expected),
            "total": len(stack),
            "expected": f"{float(np.mean(expected)):.2g}",
            "threshold": f"{NORMAL_MIN_EXPECTED:g}",
        }
        notes.append(Message("hotspots.gi_discrete_periods", params))
    return p, sums


def _change_classes(
    n_hot: np.ndarray,
    n_recent: np.ndarray,
    n_before: np.ndarray,
    n_periods: int,
    t: ChangeThresholds,
) -> np.ndarray:
    n_earlier = n_periods - t.recent_periods
    share = n_hot / n_periods
    share_before = n_before / n_earlier
    min_recent = max(1, math.ceil(t.emerging_recent_share * t.recent_periods - 1e-9))
    persistent = (share >= t.persistent_share - 1e-12) & (n_recent >= 1)
    emerging = ~persistent & (n_recent >= min_recent) & (share_before < t.emerging_before_share)
    former = (
        ~persistent & ~emerging & (share_before >= t.former_before_share - 1e-12) & (n_recent == 0)
    )
    return np.select(
        [persistent, emerging, former, n_hot > 0],
        ["persistent", "emerging", "former", "intermittent"],
        default="never",
    ).astype(object)


def _to_date(day: np.datetime64) -> object:
    return pd.Timestamp(day).date()
