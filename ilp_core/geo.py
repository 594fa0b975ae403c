"""Projections and district look-ups: every distance and area is computed in metres.

Incidents carry WGS 84 ``lat``/``lon``; analyses project them to the UTM zone of
the data (chosen automatically from the median point), so a 200 m band means
200 m everywhere in the area.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

WGS84 = "EPSG:4326"


def utm_crs(lat: np.ndarray | pd.Series, lon: np.ndarray | pd.Series) -> pyproj.CRS:
    """Return the WGS 84 / UTM zone CRS that holds the median of the points.

    Raises ``ValueError`` when there is no finite point (a programming error:
    callers check that incidents are geolocated first).

    Examples
    --------
    >>> utm_crs(np.array([45.5]), np.array([-30.5])).to_epsg()
    32625
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        raise ValueError("no geolocated point to choose a projection from")
    mlat, mlon = float(np.median(lat[ok])), float(np.median(lon[ok]))
    zone = int(np.floor((mlon + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if mlat >= 0 else 32700) + zone)


@dataclass(frozen=True)
class Projected:
    """Metric coordinates of geolocated incidents.

    Attributes
    ----------
    x, y
        Metres in ``crs``, one per geolocated incident.
    index
        Positions (``0..n-1``) of those incidents in the table that was projected.
    crs
        The metric CRS used.
    """

    x: np.ndarray
    y: np.ndarray
    index: np.ndarray
    crs: pyproj.CRS


def project(incidents: pd.DataFrame, crs: pyproj.CRS | None = None) -> Projected:
    """Project the geolocated incidents of a canonical table to metres.

    Rows without coordinates are left out; ``Projected.index`` says which rows
    were kept. ``crs`` defaults to :func:`utm_crs` of the data.
    """
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    keep = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if crs is None:
        crs = utm_crs(lat[keep], lon[keep])
    transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = transformer.transform(lon[keep], lat[keep])
    return Projected(np.asarray(x, dtype=float), np.asarray(y, dtype=float), keep, crs)


def assign_districts(
    lat: np.ndarray | pd.Series,
    lon: np.ndarray | pd.Series,
    districts: gpd.GeoDataFrame,
) -> pd.Series:
    """Return the name of the district that contains each point (NaN outside all).

    ``districts`` has a ``district`` column and geometries in EPSG:4326; a point on
    a shared border goes to the first district that contains it.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    out = np.full(len(lat), None, dtype=object)
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if len(ok) and len(districts):
        points = gpd.points_from_xy(lon[ok], lat[ok], crs=WGS84)
        geoms = districts.to_crs(WGS84).geometry.to_numpy()
        # (polygon, point) pairs, sorted by point then polygon: keep each point's first.
        poly_idx, pt_idx = gpd.GeoSeries(points).sindex.query(geoms, predicate="intersects")
        order = np.lexsort((poly_idx, pt_idx))
        poly_idx, pt_idx = poly_idx[order], pt_idx[order]
        first = np.unique(pt_idx, return_index=True)[1]
        names = districts["district"].astype(str).to_numpy()
        out[ok[pt_idx[first]]] = names[poly_idx[first]]
    return pd.Series(out, dtype="object").where(pd.notna(out), np.nan)
