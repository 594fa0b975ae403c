"""Folium maps built from result tables: aggregates only, safe text, no network needed.

Every map sends aggregates (districts, grid cells with data, an image for
density), never one marker per incident, so its HTML does not grow with the
number of incidents. Leaflet is served from the app's own static folder (or
inlined for offline reports) instead of a CDN, basemap tiles are optional (an
agency's own tile server), and every text that comes from data is HTML-escaped
before it reaches a tooltip, popup or legend.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from ilp_core import i18n

LEAFLET_DIR: Final[Path] = (
    Path(__file__).resolve().parent.parent / "static" / "vendor" / "leaflet-1.9.4"
)

#: ColorBrewer YlOrRd, 5 classes: sequential, colour-blind safe, readable on a projector.
SEQUENTIAL: Final[tuple[str, ...]] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA_COLOUR: Final[str] = "#d9d9d9"


@dataclass(frozen=True)
class MapAssets:
    """Where the browser gets Leaflet: URLs, or ``inline=True`` to embed the files."""

    js: str = "/app/static/vendor/leaflet-1.9.4/leaflet.js"
    css: str = "/app/static/vendor/leaflet-1.9.4/leaflet.css"
    inline: bool = False


@dataclass(frozen=True)
class Tiles:
    """An optional basemap: a tile URL template and its attribution."""

    url: str
    attribution: str
    name: str = "Basemap"


APP_ASSETS: Final[MapAssets] = MapAssets()


def new_map(
    bounds: Sequence[float],
    *,
    tiles: Tiles | None = None,
    assets: MapAssets = APP_ASSETS,
) -> folium.Map:
    """Return an empty map fitted to ``(south, west, north, east)`` in degrees.

    Without ``tiles`` the map has a plain background and still shows every
    vector layer: it never depends on a network.
    """
    south, west, north, east = (float(b) for b in bounds)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        zoom_start=12,
    )
    m.default_js = [("leaflet", assets.js)]
    m.default_css = [("leaflet_css", assets.css)]
    if tiles is not None:
        folium.TileLayer(
            tiles=tiles.url,
            attr=html.escape(tiles.attribution),
            name=html.escape(tiles.name),
            overlay=False,
            control=True,
        ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def escape_properties(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text columns are HTML-escaped (for tooltips and popups).

    folium's GeoJSON tooltips insert property values as HTML, and the GeoJSON
    itself sits inside a ``<script>``: escaping ``<`` keeps a hostile district or
    offence name from running script or closing the tag.
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if name == getattr(out, "_geometry_column_name", None):
            continue
        if (
            pd.api.types.is_string_dtype(col)
            or col.dtype == object
            or isinstance(col.dtype, pd.CategoricalDtype)
        ):
            out[name] = col.astype("object").map(
                lambda v: html.escape(str(v)) if isinstance(v, str) else v
            )
    return out


def class_breaks(values: np.ndarray | pd.Series, k: int = 5) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes (mapclassify), fewer when values repeat."""
    import mapclassify

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return np.array([0.0])
    k = max(1, min(k, len(np.unique(values))))
    if k == 1:
        return np.array([values.max()])
    return np.asarray(mapclassify.Quantiles(values, k=k).bins, dtype=float)


def colour_for(values: np.ndarray | pd.Series, breaks: np.ndarray) -> list[str]:
    """Map values to the sequential palette by class (grey for missing values)."""
    values = np.asarray(values, dtype=float)
    palette = _spread(SEQUENTIAL, len(breaks))
    idx = np.searchsorted(breaks, values, side="left").clip(0, len(breaks) - 1)
    return [
        NO_DATA_COLOUR if not np.isfinite(v) else palette[i]
        for v, i in zip(values, idx, strict=True)
    ]


def add_choropleth(
    m: folium.Map,
    areas: gpd.GeoDataFrame,
    value: str,
    *,
    name: str,
    tooltip_fields: Sequence[str],
    tooltip_aliases: Sequence[str],
    legend_title: str,
    lang: str = i18n.DEFAULT_LANGUAGE,
    decimals: int = 0,
    simplify_m: float = 10.0,
) -> np.ndarray:
    """Add areas coloured by ``value`` in quantile classes, with a tooltip and a legend.

    Polygons are simplified (``simplify_m`` metres) to keep the map light. Returns
    the class breaks used.
    """
    breaks = class_breaks(areas[value])
    colours = colour_for(areas[value], breaks)
    shown = escape_properties(pd.DataFrame(areas[list(dict.fromkeys(tooltip_fields))]))
    shown["_fill"] = colours
    geometry = _simplified(areas, simplify_m)
    layer = gpd.GeoDataFrame(shown, geometry=geometry.to_numpy(), crs="EPSG:4326")
    folium.GeoJson(
        layer.to_json(drop_id=True),
        name=html.escape(name),
        style_function=_fill_style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=list(dict.fromkeys(tooltip_fields)),
            aliases=[html.escape(a) for a in tooltip_aliases],
            localize=False,
        ),
    ).add_to(m)
    labels = _range_labels(areas[value], breaks, lang, decimals)
    palette = _spread(SEQUENTIAL, len(breaks))
    add_legend(m, legend_title, list(zip(palette, labels, strict=True)))
    return breaks


def add_legend(m: folium.Map, title: str, items: Sequence[tuple[str, str]]) -> None:
    """Add a fixed legend box: a title and (colour, label) rows, all text escaped."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;'
        f"background:{_safe_colour(colour)};border:1px solid #555;margin-right:6px;"
        f'vertical-align:middle"></span>{html.escape(label)}</div>'
        for colour, label in items
    )
    box = (
        '<div class="ilp-legend" style="position:absolute;bottom:24px;right:12px;z-index:9999;'
        "background:rgba(255,255,255,0.92);padding:8px 10px;border:1px solid #999;"
        'border-radius:4px;font:12px sans-serif;max-width:260px">'
        f"<b>{html.escape(title)}</b>{rows}</div>"
    )
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}" + box.replace("{", "{{ '{' }}") + "{% endmacro %}"
    )
    m.get_root().html.add_child(legend)


def render_html(m: folium.Map, *, inline: bool = False) -> str:
    """Return the map as a standalone HTML page; ``inline=True`` embeds Leaflet for offline use."""
    page = m.get_root().render()
    if inline:
        js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
        css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
        page = re.sub(
            r'<script src="[^"]*leaflet\.js"></script>',
            lambda _: f"<script>{js}</script>",
            page,
        )
        page = re.sub(
            r'<link rel="stylesheet" href="[^"]*leaflet\.css"/>',
            lambda _: f"<style>{css}</style>",
            page,
        )
    return page


def district_bounds(districts: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` of the districts in degrees."""
    west, south, east, north = districts.to_crs("EPSG:4326").total_bounds
    return float(south), float(west), float(north), float(east)


def _fill_style(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["_fill"],
        "color": "#444444",
        "weight": 1,
        "fillOpacity": 0.7,
    }


def _simplified(areas: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoSeries:
    from ilp_core import geo

    centroid = areas.to_crs("EPSG:4326").geometry.union_all().centroid
    crs = geo.utm_crs(np.array([centroid.y]), np.array([centroid.x]))
    simplified = areas.to_crs(crs).geometry.simplify(tolerance_m, preserve_topology=True)
    return simplified.to_crs("EPSG:4326")


def _spread(palette: Sequence[str], k: int) -> list[str]:
    if k >= len(palette):
        return list(palette)
    idx = np.round(np.linspace(0, len(palette) - 1, k)).astype(int)
    return [palette[i] for i in idx]


def _range_labels(values: pd.Series, breaks: np.ndarray, lang: str, decimals: int) -> list[str]:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low = float(finite.min()) if len(finite) else 0.0
    labels = []
    for upper in breaks:
        labels.append(
            f"{i18n.number(low, lang, decimals)} – {i18n.number(float(upper), lang, decimals)}"
        )
        low = float(upper)
    return labels


def _safe_colour(colour: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]+", colour):
        raise ValueError(f"not a colour: {colour!r}")
    return colour


def preview_map(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: Tiles | None = None,
    assets: MapAssets = APP_ASSETS,
) -> folium.Map | None:
    """A first look at what was loaded: incidents per district, or per grid cell.

    With districts, a choropleth of counts (rows geocoded only to a district
    count too); without, counts on a regular grid of the geolocated incidents.
    Returns ``None`` when nothing can be placed on a map.
    """
    from ilp_core import hotspots

    if districts is not None and len(districts):
        counts = incidents["district"].value_counts()
        areas = districts.copy()
        areas["count"] = areas["district"].map(counts).fillna(0).astype(int)
        areas["district_label"] = areas["district"].map(lambda d: i18n.term(d, lang))
        m = new_map(district_bounds(districts), tiles=tiles, assets=assets)
        add_choropleth(
            m,
            areas,
            "count",
            name=i18n.t("maps.districts", lang),
            tooltip_fields=["district_label", "count"],
            tooltip_aliases=[i18n.t("maps.district", lang), i18n.t("maps.incidents", lang)],
            legend_title=i18n.t("maps.incidents_per_district", lang),
            lang=lang,
        )
        return m
    if not np.isfinite(incidents["lat"].to_numpy(dtype=float)).any():
        return None
    cells = hotspots.preview_cells(incidents)
    west, south, east, north = cells.total_bounds
    m = new_map((south, west, north, east), tiles=tiles, assets=assets)
    add_choropleth(
        m,
        cells,
        "count",
        name=i18n.t("maps.grid", lang),
        tooltip_fields=["count"],
        tooltip_aliases=[i18n.t("maps.incidents", lang)],
        legend_title=i18n.t("maps.incidents_per_cell", lang),
        lang=lang,
        simplify_m=0.0,
    )
    return m
