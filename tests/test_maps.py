"""Maps: hostile text stays text, nothing comes from the internet, size is independent of data."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from ilp_core import figures
from ilp_core.analysis import hotspots
from ilp_core.data import schema
from ilp_core.figures import maps

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'


def _incidents(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # Two clusters and a background in a 0.06 x 0.06 degree area around (45.5, -30.5).
    centres = np.array([[45.51, -30.51], [45.49, -30.48]])
    pick = rng.integers(0, 3, n)
    lat = np.where(
        pick < 2, centres[pick % 2, 0] + rng.normal(0, 0.002, n), 45.47 + 0.06 * rng.random(n)
    )
    lon = np.where(
        pick < 2, centres[pick % 2, 1] + rng.normal(0, 0.002, n), -30.53 + 0.06 * rng.random(n)
    )
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{i}" for i in range(n)],
            "occurred_at": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(rng.integers(0, 365 * 24, n), "h"),
            "occurred_to": pd.NaT,
            "precision": "minute",
            "offence": HOSTILE,
            "lat": lat,
            "lon": lon,
            "district": np.where(lon < -30.5, HOSTILE, "East"),
            "location_id": None,
            "source_row": np.arange(2, n + 2),
            "duplicate": None,
        }
    )
    return schema.coerce_incidents(frame)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district": [HOSTILE, "East"], "population": [1000.0, 2000.0]},
        geometry=[box(-30.53, 45.47, -30.5, 45.53), box(-30.5, 45.47, -30.47, 45.53)],
        crs="EPSG:4326",
    )


def _decoded(page: str) -> str:
    """folium writes JSON with ``&`` as ``\\u0026``: decode it to read what the browser gets."""
    return page.replace("\\u0026", "&")


def _where_html(incidents, districts) -> str:
    gi = hotspots.gi_star(incidents, districts, cell_size=250)
    density = hotspots.kernel_density(incidents, districts, rule="spatial", cell_size=250)
    counts = hotspots.district_counts(incidents, districts)
    lisa = None
    m = figures.where.hotspot_map(
        districts=counts.table, gi=gi, density=density, lisa=lisa, lang="en"
    )
    return _decoded(figures.maps.render_html(m))


def test_hostile_names_are_escaped_in_tooltips_legends_and_layers(districts):
    html = _where_html(_incidents(3000), districts)
    assert "<script>alert(1)" not in html
    assert "onerror=alert(2)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text in the tooltip data
    # No template injection: folium renders through Jinja, and "{{7*7}}" must not become 49.
    assert "&#123;&#123;7*7&#125;&#125;" in html
    assert "&gt;49" not in html


def test_preview_map_escapes_names_and_counts_every_district(districts):
    incidents = _incidents(500)
    html = _decoded(figures.maps.render_html(figures.maps.preview_map(incidents, districts)))
    assert "<script>alert(1)" not in html
    assert "&gt;49" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 1


def test_maps_need_no_internet(districts):
    html = _where_html(_incidents(2000), districts)
    # What the browser loads: script sources and stylesheets (links inside Leaflet's
    # attribution are anchors, not loads).
    loads = re.findall(r'<script[^>]*\ssrc="([^"]+)"|<link[^>]*\shref="([^"]+)"', html)
    urls = [u for pair in loads for u in pair if u]
    assert urls and all(not u.startswith(("http://", "https://", "//")) for u in urls), urls
    offline = figures.maps.render_html(
        figures.maps.preview_map(_incidents(200), districts), inline=True
    )
    assert not re.findall(r"<script[^>]*\ssrc=|<link[^>]*stylesheet", offline)
    assert "L.map" in offline and "Leaflet" in offline  # Leaflet itself is embedded


def test_map_size_does_not_grow_with_the_number_of_incidents(districts):
    small = len(_where_html(_incidents(2_000), districts))
    large = len(_where_html(_incidents(200_000), districts))
    # 100 times more incidents: the map is cells, districts and one image, so it stays
    # within 25 % (the density image compresses a little differently).
    assert large < 1.25 * small


def test_legend_explains_every_colour_on_the_first_render(districts):
    html = _where_html(_incidents(3000), districts)
    assert "ilp-legend" in html
    assert "Hot spot, 99 % confidence" in html


def test_tiles_are_optional_and_configurable(districts):
    tiles = figures.maps.Tiles(
        url="https://tiles.police.example/{z}/{x}/{y}.png", attribution="<b>Agency</b>"
    )
    m = figures.maps.new_map(figures.maps.district_bounds(districts), tiles=tiles)
    html = _decoded(figures.maps.render_html(m))
    assert "tiles.police.example" in html
    assert "&lt;b&gt;Agency&lt;/b&gt;" in html
    assert (
        "tile"
        not in figures.maps.render_html(
            figures.maps.new_map(figures.maps.district_bounds(districts))
        )
        .lower()
        .split("leaflet")[0]
    )


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("kind", ["counts", "ties", "rates", "one"])
def test_class_breaks_equal_mapclassify_quantiles(k, kind):
    import mapclassify

    rng = np.random.default_rng(k)
    values = {
        "counts": rng.poisson(30, 40).astype(float),
        "ties": np.r_[np.zeros(30), rng.integers(1, 4, 10)].astype(float),
        "rates": rng.lognormal(1.0, 1.2, 333),
        "one": np.array([7.0]),
    }[kind]
    k_used = max(1, min(k, len(np.unique(values))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "not enough unique values"
        expected = mapclassify.Quantiles(values, k=k_used).bins
    np.testing.assert_allclose(maps.class_breaks(values, k), expected, rtol=1e-12)
