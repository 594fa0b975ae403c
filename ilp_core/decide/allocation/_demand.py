"""Demand per area: what the hours should follow (incidents, harm, or priority-weighted harm).

:func:`district_demand` sums the demand of every district; :func:`cell_demand` ranks
the Getis-Ord Gi* hot-spot cells, the places a patrol would visit; :func:`demand_weights`
turns harm weights and priority scores into the weight of each offence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.data import geo
from ilp_core.decide import harm
from ilp_core.decide.allocation._defaults import DEFAULT_TOP_N
from ilp_core.errors import IlpInputError


def district_demand(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | Sequence[str] | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    default_days: float | None = None,
) -> pd.DataFrame:
    """Return the demand of every district: incidents, or their harm.

    Without ``weights`` the demand is the number of incidents. With ``weights``
    (offence type -> days of custody, e.g. :func:`ilp_core.decide.harm.harm_weights`, or
    priority-weighted harm from :func:`demand_weights`) it is the district's
    total harm, computed by :func:`ilp_core.decide.harm.incident_harm` (offences without
    a weight get ``default_days``, the harm table's unknown-offence value by
    default). Districts without incidents get zero; incidents with no district
    are left out (their number is in ``frame.attrs["unassigned"]``).

    Parameters
    ----------
    incidents
        Canonical incident table (:mod:`ilp_core.data.schema`).
    districts
        The districts (a GeoDataFrame with a ``district`` column, whose area in
        km² is then returned too), just their names, or ``None`` for the
        districts named in the incidents (sorted).
    weights
        Weight per offence type, or ``None`` to count incidents.
    default_days
        Weight of an offence missing from ``weights``.

    Returns
    -------
    pandas.DataFrame
        One row per district, in the districts' order: ``area``, ``incidents``,
        ``demand`` and, for a GeoDataFrame, ``area_km2``.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> inc = example_incidents(["Theft", "Robbery", "Theft"], district=["A", "A", "B"])
    >>> district_demand(inc, ["A", "B", "C"], weights={"Theft": 1.0, "Robbery": 365.0})
      area  incidents  demand
    0    A          2   366.0
    1    B          1     1.0
    2    C          0     0.0
    """
    names = _district_names(districts, incidents)
    weight = _incident_weights(incidents, weights, default_days)
    # Grouped on the column itself (a category groups its codes), then keyed by name:
    # writing out 10,000,000 district names first took 3.7 s a call.
    frame = pd.DataFrame({"area": incidents["district"].array, "w": weight})
    sums = frame.groupby("area", sort=False, observed=True, dropna=True)["w"].agg(["size", "sum"])
    sums.index = sums.index.astype(object).map(str)
    sums = sums.groupby(level=0, sort=False).sum()  # names equal once written out
    out = pd.DataFrame({"area": names})
    out["incidents"] = out["area"].map(sums["size"]).fillna(0).astype("int64")
    out["demand"] = out["area"].map(sums["sum"]).fillna(0.0).astype(float)
    if isinstance(districts, gpd.GeoDataFrame):
        out["area_km2"] = _area_km2(districts)
    out.attrs["unassigned"] = int(len(incidents) - out["incidents"].sum())
    return out


def cell_demand(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    top_n: int = DEFAULT_TOP_N,
    cell_size: float | None = None,
    weights: Mapping[str, float] | None = None,
    default_days: float | None = None,
    hot_only: bool = True,
) -> gpd.GeoDataFrame:
    """Return the ``top_n`` hot-spot cells with the most demand: the places to patrol.

    The cells are those of the pattern analyses: the Getis-Ord Gi* grid of
    :func:`ilp_core.analysis.hotspots.gi_star` (same study area, same automatic cell size
    unless given). With ``hot_only`` only cells classed as hot (90 % or more,
    FDR-adjusted) are candidates; they are ranked by demand (incidents, or harm
    with ``weights`` as in :func:`district_demand`), then by Gi* z.

    Parameters
    ----------
    incidents
        Canonical incident table; rows without coordinates are left out.
    districts
        Optional boundaries: they define the study area of the grid.
    top_n
        Number of cells to keep (1 to 100,000).
    cell_size
        Side of a cell in metres; ``None`` for the automatic size.
    weights, default_days
        Harm weights per offence type (``None``: count incidents).
    hot_only
        Keep only Gi* hot cells (default) or rank every cell with incidents.

    Returns
    -------
    geopandas.GeoDataFrame
        ``area`` (``"cell-<cell_id>"``), ``cell_id``, ``incidents``, ``demand``,
        ``area_km2``, ``gi_z``, ``gi_class``, ``x``, ``y`` (centre, metres),
        ``lon``, ``lat`` and the cell polygon (EPSG:4326), busiest first;
        ``attrs["cell_size"]`` is the size used and ``attrs["n_hot"]`` the number of
        hot cells found.

    Raises
    ------
    IlpInputError
        ``checks.whole`` (``top_n``); ``allocation.no_hot_cells`` when no cell is hot
        (rank all cells instead); the grid errors of
        :func:`ilp_core.analysis.hotspots.gi_star`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lat = np.r_[45.5 + rng.normal(0, 0.02, 300), 45.5 + rng.normal(0, 0.001, 60)]
    >>> lon = np.r_[-30.5 + rng.normal(0, 0.03, 300), -30.5 + rng.normal(0, 0.001, 60)]
    >>> from ilp_core.data.schema import example_incidents
    >>> inc = example_incidents(["Theft"] * 360, lat=lat, lon=lon)
    >>> cells = cell_demand(inc, top_n=3, cell_size=500)
    >>> cells["incidents"].tolist(), cells["gi_class"].astype(str).tolist()
    ([41, 20, 7], ['hot_99', 'hot_99', 'hot_99'])
    """
    from ilp_core.analysis import hotspots

    top_n = checks.whole("top_n", top_n, minimum=1, maximum=100_000)
    gi = hotspots.gi_star(incidents, districts, unit="grid", cell_size=cell_size)
    grid = gi.grid
    weight = _incident_weights(incidents, weights, default_days)
    projected = geo.project(incidents, grid.crs)
    row, col, inside = grid.locate(projected.x, projected.y)
    flat = (row * grid.nx + col)[inside]
    sums = np.bincount(flat, weights=weight[projected.index[inside]], minlength=grid.n_cells)
    table = gi.table.copy()
    table["demand"] = sums[table["cell_id"].to_numpy()]
    hot = table["gi_class"].astype(str).str.startswith("hot_").to_numpy()
    keep = (hot if hot_only else np.ones(len(table), dtype=bool)) & (table["count"].to_numpy() > 0)
    if not keep.any():
        raise IlpInputError("allocation.no_hot_cells", n=len(table))
    table = table.loc[keep]
    order = np.lexsort(
        (table["cell_id"].to_numpy(), -table["gi_z"].to_numpy(), -table["demand"].to_numpy())
    )
    table = table.iloc[order[:top_n]].reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {
            "area": [f"cell-{i}" for i in table["cell_id"]],
            "cell_id": table["cell_id"].to_numpy(),
            "incidents": table["count"].to_numpy(dtype="int64"),
            "demand": table["demand"].to_numpy(dtype=float),
            "area_km2": grid.cell_area_km2,
            "gi_z": table["gi_z"].to_numpy(dtype=float),
            "gi_class": table["gi_class"].to_numpy(),
            "x": table["x"].to_numpy(),
            "y": table["y"].to_numpy(),
            "lon": table["lon"].to_numpy(),
            "lat": table["lat"].to_numpy(),
        },
        geometry=table.geometry.to_numpy(),
        crs=geo.WGS84,
    )
    out.attrs["cell_size"] = grid.cell_size
    out.attrs["n_hot"] = int(hot.sum())
    return out


def demand_weights(
    harm: Mapping[str, float], priority: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Return per-offence weights for demand: harm, or harm times the relative priority score.

    Priority-weighted harm multiplies each offence's harm weight by its priority
    score divided by the highest score, so the top priority keeps its full harm
    and an offence with half the score counts half. Offences missing from
    ``priority`` get weight 0 (not a priority).

    Examples
    --------
    >>> demand_weights({"Robbery": 365.0, "Theft": 10.0}, {"Robbery": 80.0, "Theft": 40.0})
    {'Robbery': 365.0, 'Theft': 5.0}
    """
    out = {str(k): float(v) for k, v in harm.items()}
    if priority is None:
        return out
    top = max((float(v) for v in priority.values()), default=0.0)
    if not np.isfinite(top) or top <= 0:
        raise IlpInputError("allocation.bad_weights", offences="priority")
    return {k: v * max(float(priority.get(k, 0.0)), 0.0) / top for k, v in out.items()}


def _incident_weights(
    incidents: pd.DataFrame, weights: Mapping[str, float] | None, default_days: float | None
) -> np.ndarray:
    if weights is None:
        return np.ones(len(incidents))
    return harm.incident_harm(incidents, weights, default_days=default_days).to_numpy(dtype=float)


def _district_names(
    districts: gpd.GeoDataFrame | Sequence[str] | None, incidents: pd.DataFrame
) -> list[str]:
    if districts is None:
        names = sorted({str(d) for d in incidents["district"].dropna().unique()})
        if not names:
            raise IlpInputError("allocation.no_districts", columns=("district",))
        return names
    if isinstance(districts, gpd.GeoDataFrame):
        return districts["district"].astype(str).tolist()
    return [str(d) for d in districts]


def _area_km2(districts: gpd.GeoDataFrame) -> np.ndarray:
    wgs = districts.to_crs(geo.WGS84)
    centre = wgs.geometry.union_all().centroid
    crs = geo.utm_crs(np.array([centre.y]), np.array([centre.x]))
    return wgs.to_crs(crs).geometry.area.to_numpy() / 1e6
