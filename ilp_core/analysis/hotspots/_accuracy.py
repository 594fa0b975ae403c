"""Forecast accuracy of a hot-spot map: hit rate, PAI and RRI on the next period's crime."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.hotspots._common import _cell_table, _geometry_last, _Layout, _layout
from ilp_core.analysis.hotspots._density import _bandwidth_notes, _bandwidths, _kde_surface
from ilp_core.analysis.hotspots._results import (
    BANDWIDTH_RULES,
    KERNELS,
    SURFACES,
    BandwidthRule,
    ForecastAccuracy,
    Kernel,
    Surface,
)
from ilp_core.analysis.temporal._common import _incident_days
from ilp_core.errors import IlpInputError, Message


def forecast_accuracy(
    train: pd.DataFrame,
    test: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    coverage: float = 0.05,
    surface: Surface = "kde",
    kernel: Kernel = "quartic",
    bandwidth: float | tuple[float, float] | None = None,
    rule: BandwidthRule = "scott",
    cell_size: float | None = None,
) -> ForecastAccuracy:
    """Test a hot-spot map made from one period against where the next period's crime fell.

    The cells of the study area are ranked by the training period's surface (the
    kernel density, or the raw counts) and the top cells covering ``coverage`` of
    the area (rounded to whole cells, at least one; ties by ``cell_id``) are the
    predicted hot spots. With ``N`` test incidents in the area, ``n`` of them in
    the selected cells, ``A`` cells in the area and ``a`` selected:

    * hit rate ``H = n / N``;
    * PAI ``= (n / N) / (a / A)`` (Chainey, Tompson & Uhlig 2008): how many times
      better than a random choice of the same area;
    * RRI ``= (n2 / n1) / (N2 / N1)`` (Levine 2008), with ``n1``, ``N1`` the
      training incidents in the selection and in the area and ``n2 = n``,
      ``N2 = N``: above 1 when the selection keeps more than its share of the crime.

    Parameters
    ----------
    train, test
        Canonical incident tables of the two periods (e.g. from
        :func:`ilp_core.data.dataset.filter_incidents`).
    districts
        Optional boundaries defining the study area.
    coverage
        Share of the area selected, in (0, 1]; default 5 %.
    surface
        ``"kde"`` (default) or ``"counts"``.
    kernel, bandwidth, rule
        Density parameters (see :func:`kernel_density`).
    cell_size
        Grid cell size in metres (``None``: automatic from both periods).

    Returns
    -------
    ForecastAccuracy

    References
    ----------
    Chainey, S., Tompson, L., Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal 21.
    Levine, N. (2008). The "hottest" part of a hotspot: comments on "The utility of
    hotspot mapping for predicting spatial patterns of crime". Security Journal 21.

    Examples
    --------
    >>> train = pd.DataFrame({"lat": [45.5] * 8 + [45.52, 45.53], "lon": [-30.5] * 10})
    >>> test = pd.DataFrame({"lat": [45.5] * 6 + [45.52] * 4, "lon": [-30.5] * 10})
    >>> r = forecast_accuracy(train, test, surface="counts", coverage=0.1, cell_size=500)
    >>> r.n_cells_area, r.n_cells_selected, r.hit_rate, round(r.pai, 2), r.rri
    (7, 1, 0.6, 4.2, 0.75)
    """
    coverage = _checked_options(coverage, surface, kernel, rule)
    checks.columns(train, ("lat", "lon"), table="train")
    checks.columns(test, ("lat", "lon"), table="test")
    for name, table in (("train", train), ("test", test)):
        rows = table["source_row"] if "source_row" in table.columns else None
        checks.coordinates(table["lat"], table["lon"], table=name, rows=rows)
    both = pd.DataFrame(
        {
            "lat": np.r_[train["lat"].to_numpy(dtype=float), test["lat"].to_numpy(dtype=float)],
            "lon": np.r_[train["lon"].to_numpy(dtype=float), test["lon"].to_numpy(dtype=float)],
        }
    )
    layout = _layout(both, districts, cell_size)
    is_train = layout.kept < len(train)
    n_cells = layout.grid.n_cells
    counts = (
        np.bincount(layout.cell[is_train], minlength=n_cells),
        np.bincount(layout.cell[~is_train], minlength=n_cells),
    )
    params = {"coverage": coverage, "surface": surface, "kernel": kernel}
    return _accuracy(layout, is_train, *counts, bandwidth=bandwidth, rule=rule, **params)


def forecast_accuracy_at(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    split: dt.date,
    coverage: float = 0.05,
    surface: Surface = "kde",
    kernel: Kernel = "quartic",
    bandwidth: float | tuple[float, float] | None = None,
    rule: BandwidthRule = "scott",
    cell_size: float | None = None,
) -> ForecastAccuracy:
    """:func:`forecast_accuracy` of the days before ``split`` against ``split`` and after.

    The same test on one table cut at a date (incidents without a date are in
    neither period). It places the incidents once for both periods, on the grid
    every other hot-spot map of the table uses (the layout is shared), where
    cutting 10,000,000 incidents into two tables and placing them again took 12 s.
    With boundaries the grid is theirs and the result is that of
    :func:`forecast_accuracy` on the two periods' tables; without, the grid spans
    all the table's located incidents, dated or not.

    Examples
    --------
    >>> inc = pd.DataFrame({
    ...     "lat": [45.5, 45.5, 45.52, 45.5, 45.52], "lon": [-30.5, -30.5, -30.48, -30.5, -30.48],
    ...     "occurred_at": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04",
    ...                                    "2024-02-02", "2024-02-03"])})
    >>> acc = forecast_accuracy_at(inc, split=dt.date(2024, 2, 1), surface="counts",
    ...                            coverage=0.01, cell_size=500)
    >>> acc.n_train, acc.n_test, acc.hit_rate
    (3, 2, 0.5)
    """
    coverage = _checked_options(coverage, surface, kernel, rule)
    split = checks.date("split", split)
    checks.columns(incidents, ("lat", "lon", "occurred_at"), table="incidents")
    layout = _layout(incidents, districts, cell_size)
    from ilp_core.analysis.hotspots import _binning  # imports numba: on the first test

    # both periods counted in one compiled pass over the placed incidents' days, which
    # the "when" pages share: NumPy's gathers, masks and counts took 0.3 s at 10M
    day, no_date = _incident_days(incidents)
    train, test, is_train = _binning.split_counts(
        *_binning.read_only(day, no_date, layout.kept, layout.cell),
        (split - dt.date(1970, 1, 1)).days, layout.grid.n_cells,
    )  # fmt: skip
    params = {"coverage": coverage, "surface": surface, "kernel": kernel}
    return _accuracy(layout, is_train, train, test, bandwidth=bandwidth, rule=rule, **params)


def _checked_options(coverage: float, surface: str, kernel: str, rule: str) -> float:
    """Check the test's options (before any incident is placed); return the coverage."""
    checks.option("surface", surface, SURFACES)
    checks.option("kernel", kernel, KERNELS)
    checks.option("rule", rule, BANDWIDTH_RULES)
    return checks.share("coverage", coverage)


def _accuracy(
    layout: _Layout,
    is_train: np.ndarray,
    train_counts: np.ndarray,
    test_counts: np.ndarray,
    *,
    coverage: float,
    surface: str,
    kernel: str,
    bandwidth: float | tuple[float, float] | None,
    rule: str,
) -> ForecastAccuracy:
    """The test on placed incidents: which are of the training period, the counts per cell."""
    grid = layout.grid
    train_counts = train_counts.reshape(grid.shape)
    test_counts = test_counts.reshape(grid.shape)
    n_train = int(train_counts.sum())
    n_test = int(test_counts.sum())
    if n_train == 0:
        raise IlpInputError("hotspots.empty_train")
    if n_test == 0:
        raise IlpInputError("hotspots.empty_test")
    notes = list(layout.warnings)
    if surface == "kde":
        tx, ty = layout.x[is_train], layout.y[is_train]
        hx, hy, used_rule = _bandwidths(tx, ty, kernel, bandwidth, rule)
        score = _kde_surface(tx, ty, grid, kernel, hx, hy)
        notes.extend(_bandwidth_notes(hx, hy, grid.cell_size))
        k_used: str | None = kernel
        bx: float | None = hx
        by: float | None = hy
        r_used: str | None = used_rule
    else:
        score = train_counts.astype(float)
        k_used = bx = by = r_used = None
    mask = layout.in_area
    area_ids = np.flatnonzero(mask.ravel())
    area_score = score.ravel()[area_ids]
    n_area = len(area_ids)
    n_sel = max(1, int(round(coverage * n_area)))
    order = np.lexsort((area_ids, -area_score))
    rank = np.empty(n_area, dtype=np.int64)
    rank[order] = np.arange(1, n_area + 1)
    selected = rank <= n_sel
    tr = train_counts.ravel()[area_ids]
    te = test_counts.ravel()[area_ids]
    n1 = int(tr[selected].sum())
    n2 = int(te[selected].sum())
    hit_rate = n2 / n_test
    area_share = n_sel / n_area
    pai = hit_rate / area_share
    if n1 > 0:
        rri = (n2 / n1) / (n_test / n_train)
    else:
        rri = float("nan")
        notes.append(Message("hotspots.rri_undefined", {}))
    table = _cell_table(layout, {"score": score})
    table["rank"] = rank
    table["selected"] = selected
    table["train_count"] = tr
    table["test_count"] = te
    return ForecastAccuracy(
        hit_rate=float(hit_rate),
        pai=float(pai),
        rri=float(rri),
        coverage=float(coverage),
        area_share=float(area_share),
        n_cells_selected=n_sel,
        n_cells_area=n_area,
        n_train=n_train,
        n_test=n_test,
        n_train_selected=n1,
        n_test_selected=n2,
        surface=surface,
        kernel=k_used,
        bandwidth_x=bx,
        bandwidth_y=by,
        rule=r_used,
        table=_geometry_last(table),
        grid=grid,
        warnings=tuple(notes),
    )
