"""Reading coordinates: decimal degrees or projected X/Y, and the checks on them.

Rejection rules, in this order (the first that applies is the row's reason):

``coordinates_unreadable``
    a coordinate cell holds text that is not a number (``55,7512`` is read as
    55.7512 when the column uses decimal commas);
``coordinates_incomplete``
    one coordinate of the pair is given, the other is empty;
``coordinates_zero``
    both are exactly 0: the "null island" an export writes for an unknown place;
``coordinates_out_of_range``
    latitude beyond +-90 or longitude beyond +-180 (after an X/Y conversion too);
``coordinates_outside_districts``
    with district boundaries: outside their bounding box widened by 10 km;
``coordinates_far_away``
    without boundaries: further than max(50 km, 10 x the median distance) from the
    median point of all readable points (a typo in a degree, a test record).

Rows with no coordinates at all are kept (district-level analysis, offence trends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyproj

from ilp_core.data import geo
from ilp_core.data.ingest._common import RejectFlags, config, to_float
from ilp_core.errors import IlpInputError, Message

BUFFER_KM: Final[float] = 10.0
FAR_MIN_KM: Final[float] = 50.0
FAR_FACTOR: Final[float] = 10.0
_EARTH_KM: Final[float] = 6371.0088
_KM_PER_DEGREE: Final[float] = 111.32
_SWAP_SAMPLE: Final[int] = 5000


@dataclass
class Coordinates:
    """Coordinates of every row in WGS 84 (NaN where none or rejected)."""

    lat: np.ndarray
    lon: np.ndarray
    readings: list[Message] = field(default_factory=list)
    given_lat: np.ndarray | None = None  # the latitude column's numbers, before any swap
    given_lon: np.ndarray | None = None


def _decimal_comma(values: pa.Array) -> bool:
    present = values.drop_null().slice(0, 2000)
    if len(present) == 0:
        return False
    comma = pc.sum(pc.cast(pc.match_substring_regex(present, r"^\s*[+-]?\d+,\d+\s*$"), pa.int64()))
    return (comma.as_py() or 0) > 0.5 * len(present)


def read_pair(
    values_a: pa.Array, values_b: pa.Array
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Numbers of two coordinate columns, their unreadable masks, and the decimal-comma flag."""
    comma = _decimal_comma(values_a) or _decimal_comma(values_b)
    a, bad_a = to_float(values_a, decimal_comma=comma)
    b, bad_b = to_float(values_b, decimal_comma=comma)
    return a, b, bad_a, bad_b, comma


def swap_evidence(
    lat: np.ndarray, lon: np.ndarray, districts: gpd.GeoDataFrame | None
) -> tuple[bool, int, int]:
    """Whether the columns look swapped, with the counts that show it.

    Without boundaries: most points have ``|lat| > 90`` and ``|lon| <= 90``. With
    boundaries: far more points (of a sample of 5,000) fall in a district once
    swapped than as given.
    """
    ok = np.isfinite(lat) & np.isfinite(lon) & ~((lat == 0) & (lon == 0))
    n = int(ok.sum())
    if n == 0:
        return False, 0, 0
    flipped = int((ok & (np.abs(lat) > 90) & (np.abs(lon) <= 90)).sum())
    if flipped > 0.5 * n:
        return True, flipped, n
    if districts is not None and len(districts):
        idx = np.flatnonzero(ok)
        if len(idx) > _SWAP_SAMPLE:
            idx = idx[np.linspace(0, len(idx) - 1, _SWAP_SAMPLE).round().astype(np.int64)]
        inside = int(geo.assign_districts(lat[idx], lon[idx], districts).notna().sum())
        inside_swapped = int(geo.assign_districts(lon[idx], lat[idx], districts).notna().sum())
        if inside_swapped > max(2 * inside, 0.5 * len(idx)):
            return True, inside_swapped, len(idx)
    return False, flipped, n


def epsg_candidates(
    x: np.ndarray, y: np.ndarray, districts: gpd.GeoDataFrame | None
) -> tuple[tuple[str, ...], str | None]:
    """EPSG codes to offer for X/Y columns, and the one whose area holds the data."""
    codes = [str(int(c)) for c in config().get("epsg_suggestions") or ()]
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not ok.any():
        return tuple(codes), None
    mx, my = float(np.median(x[ok])), float(np.median(y[ok]))
    bounds = _district_bounds(districts)
    for code in codes:
        crs = pyproj.CRS.from_epsg(int(code))
        area = crs.area_of_use
        lon, lat = pyproj.Transformer.from_crs(crs, geo.WGS84, always_xy=True).transform(mx, my)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            continue
        if bounds is not None:
            west, south, east, north = bounds
            if west <= lon <= east and south <= lat <= north:
                return tuple(codes), code
        elif (
            area is not None
            and crs.is_projected
            and code != "3857"
            and area.west <= lon <= area.east
            and area.south <= lat <= area.north
        ):
            return tuple(codes), code
    return tuple(codes), None


def _district_bounds(
    districts: gpd.GeoDataFrame | None,
) -> tuple[float, float, float, float] | None:
    """Bounding box of the districts widened by :data:`BUFFER_KM` (degrees)."""
    if districts is None or not len(districts):
        return None
    gdf = districts if districts.crs is None else districts.to_crs(geo.WGS84)
    west, south, east, north = (float(v) for v in gdf.total_bounds)
    dlat = BUFFER_KM / _KM_PER_DEGREE
    coslat = max(np.cos(np.radians(max(abs(south), abs(north)) + dlat)), 0.01)
    dlon = BUFFER_KM / (_KM_PER_DEGREE * coslat)
    return west - dlon, south - dlat, east + dlon, north + dlat


def _haversine_h(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """The haversine term ``h`` of the distance ``d = 2 R asin(sqrt(h))`` to one point.

    ``d`` grows with ``h``, so medians and thresholds are compared on ``h`` and
    only the threshold is converted (no arcsin over every row).
    """
    p, q = np.radians(lat), np.radians(lat0)
    return (
        np.sin((p - q) / 2) ** 2 + np.cos(p) * np.cos(q) * np.sin(np.radians(lon - lon0) / 2) ** 2
    )


def _km(h: float) -> float:
    return float(2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def _h(km: float) -> float:
    return float(np.sin(min(km, np.pi * _EARTH_KM) / (2 * _EARTH_KM)) ** 2)


def read_coordinates(
    columns: dict[str, pa.Array],
    names: dict[str, str],
    flags: RejectFlags,
    *,
    epsg: int | None,
    swap: bool,
    districts: gpd.GeoDataFrame | None,
) -> Coordinates:
    """Read lat/lon (and x/y) columns into WGS 84 and flag the rows to reject.

    ``columns`` holds the cleaned text of the mapped coordinate fields, ``names``
    their source column names; rejected rows are recorded in ``flags`` (rows it
    already rejects keep their first reason).
    """
    n = len(flags.code)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    out = Coordinates(lat, lon)
    flag = flags.flag

    if "lat" in columns:
        lat_col, lon_col = names["lat"], names["lon"]
        lat_text, lon_text = columns["lat"], columns["lon"]
        if swap:
            lat_col, lon_col = lon_col, lat_col
            lat_text, lon_text = lon_text, lat_text
            out.readings.append(Message("ingest.reading.swapped", {"lat": lat_col, "lon": lon_col}))
        a, b, bad_a, bad_b, comma = read_pair(lat_text, lon_text)
        out.given_lat, out.given_lon = (b, a) if swap else (a, b)
        flag(bad_a, "coordinates_unreadable", lat_col)
        flag(bad_b, "coordinates_unreadable", lon_col)
        lat[:], lon[:] = a, b
        out.readings.append(Message("ingest.reading.latlon", {"lat": lat_col, "lon": lon_col}))
        if comma:
            out.readings.append(Message("ingest.reading.decimal_comma", {"column": lat_col}))
        one = np.isfinite(a) != np.isfinite(b)
        _flag_incomplete(one & ~bad_a & ~bad_b, a, lat_col, lon_col, flag)
    if "x" in columns:
        x_col, y_col = names["x"], names["y"]
        x, y, bad_x, bad_y, comma = read_pair(columns["x"], columns["y"])
        use = ~(np.isfinite(lat) | np.isfinite(lon)) & flags.ok
        flag(use & bad_x, "coordinates_unreadable", x_col)
        flag(use & bad_y, "coordinates_unreadable", y_col)
        one = use & (np.isfinite(x) != np.isfinite(y)) & ~bad_x & ~bad_y
        _flag_incomplete(one, x, x_col, y_col, flag)
        zero = use & (x == 0) & (y == 0)
        flag(zero, "coordinates_zero", x_col)
        todo = np.flatnonzero(use & np.isfinite(x) & np.isfinite(y) & ~zero)
        if epsg is None:
            raise IlpInputError("ingest.open_question.epsg", x=x_col, y=y_col)
        try:
            crs = pyproj.CRS.from_epsg(epsg)
        except pyproj.exceptions.CRSError:
            raise IlpInputError("ingest.epsg_unknown", epsg=epsg) from None
        if len(todo):
            transformer = pyproj.Transformer.from_crs(crs, geo.WGS84, always_xy=True)
            tx, ty = transformer.transform(x[todo], y[todo], errcheck=False)
            lon[todo] = np.asarray(tx, dtype=float)
            lat[todo] = np.asarray(ty, dtype=float)
            lon[todo[~np.isfinite(lon[todo])]] = np.inf
            lat[todo[~np.isfinite(lat[todo])]] = np.inf
        out.readings.append(
            Message(
                "ingest.reading.xy",
                {"x": x_col, "y": y_col, "epsg": str(epsg), "crs": crs.name, "n": len(todo)},
            )
        )
        if comma:
            out.readings.append(Message("ingest.reading.decimal_comma", {"column": x_col}))
    lat_name = names.get("lat", names.get("y", ""))
    both = np.isfinite(lat) | np.isinf(lat)
    both &= np.isfinite(lon) | np.isinf(lon)
    flag(both & (lat == 0) & (lon == 0), "coordinates_zero", lat_name)
    bad_range = both & ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    flag(bad_range, "coordinates_out_of_range", lat_name)
    candidate = both & flags.ok
    bounds = _district_bounds(districts)
    if bounds is not None:
        west, south, east, north = bounds
        outside = candidate & ~((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
        flag(outside, "coordinates_outside_districts", lat_name)
        out.readings.append(Message("ingest.reading.area_districts", {"km": int(BUFFER_KM)}))
    elif candidate.sum() >= 3:
        lat0 = float(np.median(lat[candidate]))
        lon0 = float(np.median(lon[candidate]))
        h = np.full(n, np.nan)
        h[candidate] = _haversine_h(lat[candidate], lon[candidate], lat0, lon0)
        limit = max(FAR_MIN_KM, FAR_FACTOR * _km(float(np.median(h[candidate]))))
        with np.errstate(invalid="ignore"):
            flag(candidate & (h > _h(limit)), "coordinates_far_away", lat_name)
        out.readings.append(Message("ingest.reading.area_median", {"km": round(limit)}))
    rejected = ~flags.ok
    lat[rejected] = np.nan
    lon[rejected] = np.nan
    return out


def _flag_incomplete(
    mask: np.ndarray,
    first: np.ndarray,
    first_col: str,
    second_col: str,
    flag: Callable[[np.ndarray, str, str], None],
) -> None:
    """Flag rows with one coordinate only, naming the column that is empty."""
    missing_first = mask & ~np.isfinite(first)
    flag(missing_first, "coordinates_incomplete", first_col)
    flag(mask & ~missing_first, "coordinates_incomplete", second_col)
