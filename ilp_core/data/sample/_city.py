"""The city itself: outline, districts, premises pools, and where each incident happens.

:func:`build_city` draws the outline and the districts (no randomness, so every seed
shares one city); :func:`build_pools` places the shops, pubs and businesses;
:func:`place` gives each incident of an offence its coordinates, its premises key
and the hot spot it belongs to (``-1`` for the background).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ilp_core.data import geo
from ilp_core.data.sample._spec import (
    CENTRE_LAT,
    CENTRE_LON,
    CENTRE_SD_M,
    CRS,
    DISTRICT_SD_M,
    DISTRICTS,
    HARMONICS,
    HOME_BASE,
    HOTSPOTS,
    INNER_MARGIN_M,
    OUTLINE_VERTICES,
    POOL_ORDER,
    POOLS,
    POPULATION_TOTAL,
    SEMI_AXES_M,
    SPREADS,
    START,
    Hotspot,
    Offence,
)


def build_city() -> dict[str, Any]:
    """Outline, districts (metric and WGS 84), populations: no randomness."""
    to_utm = pyproj.Transformer.from_crs(geo.WGS84, CRS, always_xy=True)
    x0, y0 = to_utm.transform(CENTRE_LON, CENTRE_LAT)
    theta = np.linspace(0.0, 2.0 * np.pi, OUTLINE_VERTICES, endpoint=False)
    a, b = SEMI_AXES_M
    r = a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)
    for k, amp, phase in HARMONICS:
        r = r * (1.0 + amp * np.sin(k * theta + phase))
    outline = shapely.Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    inner = outline.buffer(-INNER_MARGIN_M)
    shapely.prepare(inner)

    names = [d[0] for d in DISTRICTS]
    seeds = np.array([[d[1] * 1000.0, d[2] * 1000.0] for d in DISTRICTS])
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=outline.buffer(5_000.0), ordered=True
    )
    local = [shapely.intersection(c, outline) for c in shapely.get_parts(cells)]

    def to_degrees(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_utm.transform(
            coords[:, 0] + x0, coords[:, 1] + y0, direction=pyproj.enums.TransformDirection.INVERSE
        )
        return np.round(np.column_stack([lon, lat]), 6)

    polygons = shapely.orient_polygons(
        np.array([shapely.transform(g, to_degrees) for g in local]), exterior_cw=False
    )
    if not (
        all(p.geom_type == "Polygon" for p in polygons)
        and shapely.is_valid(polygons).all()
        and shapely.coverage_is_valid(polygons)
    ):
        raise RuntimeError("district polygons of the sample region are not a valid coverage")

    area_km2 = np.array([g.area for g in local]) / 1e6
    density = np.array([d[3] for d in DISTRICTS], dtype=float)
    raw = density * area_km2
    population = np.round(raw / raw.sum() * POPULATION_TOTAL / 10.0).astype(np.int64) * 10
    order = np.argsort(names, kind="stable")
    districts = gpd.GeoDataFrame(
        {
            "district": pd.array([names[i] for i in order], dtype="str"),
            "population": population[order],
        },
        geometry=list(polygons[order]),
        crs=geo.WGS84,
    )
    return {
        "x0": x0,
        "y0": y0,
        "to_utm": to_utm,
        "outline": outline,
        "inner": inner,
        "seeds": seeds,
        "names": names,
        "population": population,
        "districts": districts,
    }


def inside(city: Mapping[str, Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies inside the city, 5 m clear of its edge."""
    return shapely.contains_xy(city["inner"], x, y)


def _sample_spread(
    rng: np.random.Generator, city: Mapping[str, Any], n: int, spread: str
) -> tuple[np.ndarray, np.ndarray]:
    """Background points: a mixture of the dense core, local centres and uniform."""
    w_centre, w_local, _ = SPREADS[spread]
    xs: list[np.ndarray] = [np.empty(0)]
    ys: list[np.ndarray] = [np.empty(0)]
    got = 0
    pop = city["population"] / city["population"].sum()
    a, b = SEMI_AXES_M
    while got < n:
        m = int((n - got) * 1.3) + 16
        kind = rng.random(m)
        x = rng.normal(0.0, CENTRE_SD_M, m)
        y = rng.normal(0.0, CENTRE_SD_M, m)
        local = (kind >= w_centre) & (kind < w_centre + w_local)
        which = rng.choice(len(pop), size=m, p=pop)
        x = np.where(local, city["seeds"][which, 0] + rng.normal(0, DISTRICT_SD_M, m), x)
        y = np.where(local, city["seeds"][which, 1] + rng.normal(0, DISTRICT_SD_M, m), y)
        uniform = kind >= w_centre + w_local
        x = np.where(uniform, rng.uniform(-1.2 * a, 1.2 * a, m), x)
        y = np.where(uniform, rng.uniform(-1.2 * b, 1.2 * b, m), y)
        ok = inside(city, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _sample_hotspot(
    rng: np.random.Generator, spot: Hotspot, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points around a hot spot: Gaussian with sd = radius / 2, cut at the radius."""
    xs: list[np.ndarray] = [np.empty(0)]
    ys: list[np.ndarray] = [np.empty(0)]
    got = 0
    while got < n:
        m = int((n - got) * 1.2) + 8
        dx = rng.normal(0.0, spot.radius_m / 2.0, m)
        dy = rng.normal(0.0, spot.radius_m / 2.0, m)
        ok = np.hypot(dx, dy) <= spot.radius_m
        xs.append(spot.x_km * 1000.0 + dx[ok])
        ys.append(spot.y_km * 1000.0 + dy[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def build_pools(rng: np.random.Generator, city: Mapping[str, Any]) -> dict[str, Any]:
    """Shops, pubs and businesses: fixed premises with lognormal attractiveness."""
    xs, ys, weights, kinds, spot_of = [], [], [], [], []
    for kind in POOL_ORDER:
        count, sigma, spread = POOLS[kind]
        x, y = _sample_spread(rng, city, count, spread)
        xs.append(x)
        ys.append(y)
        weights.append(rng.lognormal(0.0, sigma, count))
        kinds.append(np.full(count, kind))
        spot_of.append(np.full(count, -1))
        for h, spot in enumerate(HOTSPOTS):
            if spot.premises is not None and spot.premises[0] == kind:
                hx, hy = _sample_hotspot(rng, spot, spot.premises[1])
                xs.append(hx)
                ys.append(hy)
                weights.append(rng.lognormal(0.0, sigma, spot.premises[1]))
                kinds.append(np.full(spot.premises[1], kind))
                spot_of.append(np.full(spot.premises[1], h))
    return {
        "x": np.concatenate(xs),
        "y": np.concatenate(ys),
        "weight": np.concatenate(weights),
        "kind": np.concatenate(kinds),
        "spot": np.concatenate(spot_of),
        "next_home": HOME_BASE,
    }


def _pick_premises(
    rng: np.random.Generator, pools: Mapping[str, Any], n: int, kind: str, spot: int
) -> np.ndarray:
    """Indices into the pools of ``n`` premises of ``kind`` (inside hot spot ``spot``)."""
    ok = pools["kind"] == kind
    ok &= pools["spot"] == spot if spot >= 0 else True
    idx = np.flatnonzero(ok)
    w = pools["weight"][idx]
    return idx[rng.choice(len(idx), size=n, p=w / w.sum())]


def place(
    rng: np.random.Generator,
    city: Mapping[str, Any],
    pools: dict[str, Any],
    offence: Offence,
    t: np.ndarray,
) -> dict[str, np.ndarray]:
    """Coordinates, premises keys and hot-spot component of one offence's rows."""
    n = len(t)
    comp = _hot_component(rng, offence, t)
    x = np.empty(n)
    y = np.empty(n)
    key = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    for h, spot in enumerate(HOTSPOTS):
        rows = np.flatnonzero(comp == h)
        if not len(rows):
            continue
        at_premises = np.zeros(len(rows), dtype=bool)
        if spot.premises is not None and offence.pool == spot.premises[0]:
            at_premises = u[rows] < spot.premises_share
        prem = rows[at_premises]
        if len(prem):
            idx = _pick_premises(rng, pools, len(prem), spot.premises[0], h)
            x[prem], y[prem], key[prem] = pools["x"][idx], pools["y"][idx], idx
        street = rows[~at_premises]
        x[street], y[street] = _sample_hotspot(rng, spot, len(street))
    background = comp == -1
    pooled = background & (u < offence.pool_share) & (offence.pool not in (None, "home"))
    rows = np.flatnonzero(pooled)
    if len(rows):
        idx = _pick_premises(rng, pools, len(rows), offence.pool, -1)
        x[rows], y[rows], key[rows] = pools["x"][idx], pools["y"][idx], idx
    rows = np.flatnonzero(background & ~pooled)
    x[rows], y[rows] = _sample_spread(rng, city, len(rows), offence.spread)
    if offence.pool == "home":
        key = pools["next_home"] + np.arange(n)
        pools["next_home"] += n
    return {"t": t, "x": x, "y": y, "key": key, "comp": comp}


def _hot_component(rng: np.random.Generator, offence: Offence, t: np.ndarray) -> np.ndarray:
    """For each row, the hot spot it belongs to (-1 = background)."""
    u = rng.random(len(t))
    comp = np.full(len(t), -1, dtype=np.int64)
    acc = np.zeros(len(t))
    for h, spot in enumerate(HOTSPOTS):
        share = dict(spot.shares).get(offence.name, 0.0)
        if share == 0.0:
            continue
        lo, hi = _minute(spot.active_from), _minute(spot.active_to) + 1440
        s = np.where((t >= lo) & (t < hi), share, 0.0)
        comp[(u >= acc) & (u < acc + s)] = h
        acc += s
    return comp


def _minute(day: str) -> int:
    return int((np.datetime64(day, "m") - START).astype(np.int64))
