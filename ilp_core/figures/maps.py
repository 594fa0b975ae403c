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
    Path(__file__).resolve().parents[2] / "static" / "vendor" / "leaflet-1.9.4"
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
            attr=safe_text(tiles.attribution),
            name=safe_text(tiles.name),
            overlay=False,
            control=True,
        ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    _FitWhenShown([[south, west], [north, east]]).add_to(m)
    return m


class _FitWhenShown(MacroElement):
    """Fit the bounds again once the map has a size.

    A map drawn in a tab the user has not opened yet (Where → "Change over time") is
    fitted while its frame is 0 px wide: Leaflet then picks zoom 0 and the map opens
    on the whole world, blank (a 5,000 km scale bar). A ``ResizeObserver`` refits it
    the first time it is shown, and never again, so the user's own panning is kept.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, box = map.getContainer();
            var bounds = {{ this.bounds|tojson }}, fitted = box.clientWidth > 0;
            if (typeof ResizeObserver === "undefined") { return; }
            var watch = new ResizeObserver(function () {
                if (fitted || box.clientWidth === 0) { return; }
                fitted = true;
                map.invalidateSize();
                map.fitBounds(bounds);
                watch.disconnect();
            });
            watch.observe(box);
        })();
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitWhenShown"
        self.bounds = bounds


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
                lambda v: safe_text(v) if isinstance(v, str) else v
            )
    return out


def safe_text(value: str) -> str:
    """HTML-escape a text from data, and neutralise template braces.

    folium assembles parts of its output through Jinja templates: a district named
    ``{{7*7}}`` would otherwise come out as ``49`` (template injection, which can run
    code on the server). Braces become HTML entities, which the browser shows as braces.
    """
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def class_breaks(values: np.ndarray | pd.Series, k: int = 5) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes, fewer when values repeat.

    The bounds of ``mapclassify.Quantiles`` (tested equal), in NumPy: importing
    mapclassify took 3.1 s of each server's first map (it compiles with numba).
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return np.array([0.0])
    k = max(1, min(k, len(np.unique(values))))
    if k == 1:
        return np.array([values.max()])
    return np.unique(np.percentile(values, np.linspace(100.0 / k, 100.0, k)))


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
    show: bool = True,
) -> LegendSection:
    """Add areas coloured by ``value`` in quantile classes, with a tooltip.

    Polygons are simplified (``simplify_m`` metres) to keep the map light.
    Returns the legend section (title and the colour of each class range).
    """
    breaks = class_breaks(areas[value])
    colours = colour_for(areas[value], breaks)
    shown = escape_properties(pd.DataFrame(areas[list(dict.fromkeys(tooltip_fields))]))
    shown["_fill"] = colours
    geometry = simplified(areas, simplify_m)
    layer = gpd.GeoDataFrame(shown, geometry=geometry.to_numpy(), crs="EPSG:4326")
    folium.GeoJson(
        light_json(layer),
        name=safe_text(name),
        show=show,
        style_function=_fill_style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=list(dict.fromkeys(tooltip_fields)),
            aliases=[safe_text(a) for a in tooltip_aliases],
            localize=False,
        ),
    ).add_to(m)
    labels = _range_labels(areas[value], breaks, lang, decimals)
    palette = _spread(SEQUENTIAL, len(breaks))
    return LegendSection(legend_title, tuple(zip(palette, labels, strict=True)))


@dataclass(frozen=True)
class LegendSection:
    """One block of a legend: a title and its (colour, label) rows."""

    title: str
    items: tuple[tuple[str, str], ...]


def add_legend(m: folium.Map, sections: Sequence[LegendSection]) -> None:
    """Add one fixed legend box with a block per layer; every text is escaped."""
    blocks = []
    for section in sections:
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;'
            f"background:{_safe_colour(colour)};border:1px solid #555;margin-right:6px;"
            f'vertical-align:middle"></span>{safe_text(label)}</div>'
            for colour, label in section.items
        )
        title = safe_text(section.title)
        blocks.append(f'<div style="margin-bottom:6px"><b>{title}</b>{rows}</div>')
    box = (
        '<div class="ilp-legend" style="position:absolute;bottom:24px;right:12px;z-index:9999;'
        "background:rgba(255,255,255,0.92);padding:8px 10px;border:1px solid #999;"
        "border-radius:4px;font:12px sans-serif;max-width:280px;max-height:60%;"
        'overflow:auto">' + "".join(blocks) + "</div>"
    )
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}" + box.replace("{", "{{ '{' }}") + "{% endmacro %}"
    )
    m.get_root().add_child(legend)


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


def light_json(layer: gpd.GeoDataFrame) -> str:
    """GeoJSON with coordinates rounded to 6 decimals (about 0.1 m): a lighter page."""
    import shapely

    rounded = layer.set_geometry(shapely.set_precision(layer.geometry.to_numpy(), 1e-6))
    return rounded.to_json(drop_id=True)


def _fill_style(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["_fill"],
        "color": "#444444",
        "weight": 1,
        "fillOpacity": 0.7,
    }


def simplified(areas: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoSeries:
    """Area outlines simplified to ``tolerance_m`` metres (lighter maps, same look)."""
    from ilp_core.data import geo

    centroid = areas.to_crs("EPSG:4326").geometry.union_all().centroid
    crs = geo.utm_crs(np.array([centroid.y]), np.array([centroid.x]))
    simplified = areas.to_crs(crs).geometry.simplify(tolerance_m, preserve_topology=True)
    return simplified.to_crs("EPSG:4326")


def _spread(palette: Sequence[str], k: int) -> list[str]:
    if k >= len(palette):
        return list(palette)
    idx = np.round(np.linspace(0, len(palette) - 1, k)).astype(int)
    return [palette[i] for i in idx]


def _range_labels(
    values: np.ndarray | pd.Series, breaks: np.ndarray, lang: str, decimals: int
) -> list[str]:
    """The legend's class ranges: ``1``, ``2``, ``3 – 5`` for counts, ``0.5 – 1.2`` for measures.

    Counts never read ``1 – 1`` or ``1 – 2`` where the classes hold 1 and 2.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    whole = bool(len(finite)) and bool(np.all(finite == np.round(finite)))
    low = float(finite.min()) if len(finite) else 0.0
    labels = []
    for upper in breaks:
        upper = float(upper)
        if whole:
            upper = float(np.floor(upper))
        if low >= upper:
            labels.append(i18n.number(upper, lang, decimals))
        else:
            labels.append(
                f"{i18n.number(low, lang, decimals)} – {i18n.number(upper, lang, decimals)}"
            )
        low = upper + 1 if whole else upper
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
    from ilp_core.analysis import hotspots

    if districts is not None and len(districts):
        counts = incidents["district"].value_counts()
        areas = districts.copy()
        areas["count"] = areas["district"].map(counts).fillna(0).astype(int)
        areas["district_label"] = areas["district"].map(lambda d: i18n.term(d, lang))
        m = new_map(district_bounds(districts), tiles=tiles, assets=assets)
        section = add_choropleth(
            m,
            areas,
            "count",
            name=i18n.t("maps.districts", lang),
            tooltip_fields=["district_label", "count"],
            tooltip_aliases=[i18n.t("maps.district", lang), i18n.t("maps.incidents", lang)],
            legend_title=i18n.t("maps.incidents_per_district", lang),
            lang=lang,
        )
        add_legend(m, [section])
        return m
    if not np.isfinite(incidents["lat"].to_numpy(dtype=float)).any():
        return None
    table = hotspots.grid_counts(incidents).table
    cells = table.loc[table["count"] > 0, ["count", "geometry"]]
    west, south, east, north = cells.total_bounds
    m = new_map((south, west, north, east), tiles=tiles, assets=assets)
    section = add_choropleth(
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
    add_legend(m, [section])
    return m


#: Gi* classes: ColorBrewer RdBu (diverging, colour-blind safe); not significant is not drawn.
GI_COLOURS: Final[dict[str, str]] = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
}
#: Hot-spot change classes: the Okabe-Ito palette, distinguishable with colour blindness.
CHANGE_COLOURS: Final[dict[str, str]] = {
    "persistent": "#d55e00",
    "emerging": "#e69f00",
    "former": "#0072b2",
    "intermittent": "#cc79a7",
}
#: Local Moran quadrants: the GeoDa convention (red HH, blue LL, light for outliers).
LISA_COLOURS: Final[dict[str, str]] = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "HL": "#fdae61",
    "LH": "#abd9e9",
}
#: Viridis stops (plotly's), for the density image.
VIRIDIS: Final[tuple[str, ...]] = (
    "#440154", "#482878", "#3e4989", "#31688e", "#26828e",
    "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
)  # fmt: skip


def add_classed_areas(
    m: folium.Map,
    table: gpd.GeoDataFrame,
    class_column: str,
    colours: dict[str, str],
    labels: dict[str, str],
    *,
    name: str,
    tooltip_fields: Sequence[str],
    tooltip_aliases: Sequence[str],
    legend_title: str,
    show: bool = True,
) -> LegendSection:
    """Add the areas (cells or districts) whose class has a colour; others are not sent.

    Only classed areas reach the browser, so the page stays small however many
    cells the grid has. Returns the legend section.
    """
    classes = table[class_column].astype(str)
    keep = classes.isin(list(colours)).to_numpy()
    shown = escape_properties(pd.DataFrame(table.loc[keep, list(dict.fromkeys(tooltip_fields))]))
    shown["_fill"] = classes[keep].map(colours).to_numpy()
    layer = gpd.GeoDataFrame(shown, geometry=table.geometry[keep].to_numpy(), crs="EPSG:4326")
    if len(layer):
        folium.GeoJson(
            light_json(layer),
            name=safe_text(name),
            show=show,
            style_function=_cell_style,
            tooltip=folium.GeoJsonTooltip(
                fields=list(dict.fromkeys(tooltip_fields)),
                aliases=[safe_text(a) for a in tooltip_aliases],
                localize=False,
            ),
        ).add_to(m)
    present = [c for c in colours if c in set(classes[keep])]
    return LegendSection(legend_title, tuple((colours[c], labels[c]) for c in present))


def add_density_overlay(
    m: folium.Map,
    density: np.ndarray,
    grid: Any,
    in_area: np.ndarray,
    *,
    name: str,
    legend_title: str,
    lang: str = i18n.DEFAULT_LANGUAGE,
    pixels: int = 512,
    show: bool = True,
) -> LegendSection:
    """Add a density surface as one PNG image (its size does not depend on the data).

    The metric grid is resampled (nearest cell) onto a Web-Mercator-aligned image,
    so it sits exactly where Leaflet draws it; cells outside the study area and
    zero density are transparent.
    """
    import base64
    import io

    import pyproj
    from PIL import Image

    x_max = grid.x0 + grid.nx * grid.cell_size
    y_max = grid.y0 + grid.ny * grid.cell_size
    to_wgs = pyproj.Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    corners_x = [grid.x0, x_max, grid.x0, x_max]
    corners_y = [grid.y0, grid.y0, y_max, y_max]
    lons, lats = to_wgs.transform(corners_x, corners_y)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    to_merc = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (mx0, mx1), (my0, my1) = to_merc.transform([west, east], [south, north])
    aspect = (my1 - my0) / (mx1 - mx0)
    width = pixels if aspect <= 1 else max(2, int(pixels / aspect))
    height = max(2, int(width * aspect))
    px = mx0 + (np.arange(width) + 0.5) * (mx1 - mx0) / width
    py = my1 - (np.arange(height) + 0.5) * (my1 - my0) / height
    pxx, pyy = np.meshgrid(px, py)
    merc_to_grid = pyproj.Transformer.from_crs("EPSG:3857", grid.crs, always_xy=True)
    gx, gy = merc_to_grid.transform(pxx.ravel(), pyy.ravel())
    col = np.floor((np.asarray(gx) - grid.x0) / grid.cell_size).astype(np.int64)
    row = np.floor((np.asarray(gy) - grid.y0) / grid.cell_size).astype(np.int64)
    inside = (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    values = np.full(col.shape, np.nan)
    ok = np.flatnonzero(inside)
    ok = ok[in_area[row[ok], col[ok]]]
    values[ok] = density[row[ok], col[ok]]
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    scaled = np.where(np.isfinite(values) & (values > 0), values / top if top > 0 else 0, np.nan)
    lut = _lut(VIRIDIS)
    idx = np.nan_to_num(scaled * 255, nan=0).astype(np.uint8)
    rgba = lut[idx].copy()
    rgba[:, 3] = np.where(
        np.isfinite(scaled), (80 + 150 * np.nan_to_num(scaled)).astype(np.uint8), 0
    )
    image = Image.fromarray(rgba.reshape(height, width, 4), mode="RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    folium.raster_layers.ImageOverlay(
        image=uri, bounds=[[south, west], [north, east]], name=safe_text(name),
        mercator_project=False, show=show, interactive=False,
    ).add_to(m)  # fmt: skip
    steps = [0.2, 0.4, 0.6, 0.8, 1.0]
    items = tuple(
        (lut[int(s * 255)][:3].tobytes().hex().join(["#", ""]), i18n.number(s * top, lang, 1))
        for s in steps
    )
    return LegendSection(legend_title, items)


def _lut(stops: Sequence[str]) -> np.ndarray:
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in stops], dtype=float)
    at = np.linspace(0, 1, len(stops))
    out = np.empty((256, 4), dtype=np.uint8)
    for channel in range(3):
        out[:, channel] = np.interp(np.linspace(0, 1, 256), at, rgb[:, channel]).round()
    out[:, 3] = 255
    return out


def _cell_style(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["_fill"],
        "color": feature["properties"]["_fill"],
        "weight": 0.5,
        "fillOpacity": 0.75,
    }


def finish(m: folium.Map, sections: Sequence[LegendSection]) -> folium.Map:
    """Add the layer control and the legend; return the map."""
    folium.LayerControl(collapsed=False).add_to(m)
    add_legend(m, [s for s in sections if s.items])
    return m
