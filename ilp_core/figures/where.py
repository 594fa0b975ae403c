"""Figures of the Where step: hot-spot and change maps (folium), the Lorenz curve (plotly).

Maps send aggregates only (districts, grid cells with data, a density image),
never one marker per incident; every text from data is escaped
(:mod:`ilp_core.figures.maps`).
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.analysis.hotspots import Concentration
from ilp_core.figures._style import inert
from ilp_core.figures.maps import (
    APP_ASSETS,
    CHANGE_COLOURS,
    GI_COLOURS,
    LISA_COLOURS,
    LegendSection,
    MapAssets,
    Tiles,
    add_choropleth,
    add_classed_areas,
    add_density_overlay,
    district_bounds,
    escape_properties,
    finish,
    light_json,
    new_map,
    safe_text,
    simplified,
)


def lorenz_chart(result: Concentration, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Lorenz curve of incidents over units, with the line of perfect equality.

    The further the curve bows below the diagonal, the more a few units hold most
    incidents; the Gini coefficient is twice the area between the two.
    """
    t = i18n.t
    unit = t(f"hotspots.unit.{result.unit}", lang)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name=t("charts_where.equality", lang),
            line={"dash": "dot", "color": "#888888"},
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=result.lorenz["share_units"], y=result.lorenz["share_incidents"], mode="lines",
            name=t("charts_where.lorenz", lang), line={"color": "#b2182b", "width": 3},
            fill="tonexty", fillcolor="rgba(178,24,43,0.12)",
        )
    )  # fmt: skip
    fig.update_layout(
        title=t("charts_where.lorenz_title", lang, gini=i18n.number(result.gini, lang, 2)),
        xaxis={"title": t("charts_where.share_units", lang, unit=unit), "tickformat": ".0%"},
        yaxis={"title": t("charts_where.share_incidents", lang), "tickformat": ".0%"},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60, "l": 60, "r": 20, "b": 60},
        height=420,
        template="plotly_white",  # named: never the process's default (Streamlit sets one)
    )
    return inert(fig)


def hotspot_map(
    *,
    districts: gpd.GeoDataFrame | None,
    gi: Any | None = None,
    density: Any | None = None,
    lisa: Any | None = None,
    district_value: str = "count",
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: Tiles | None = None,
    assets: MapAssets = APP_ASSETS,
) -> folium.Map:
    """The "where" map: district choropleth, Gi* cells, density image and Local Moran.

    Each result is a layer the user can switch on and off; one legend explains
    every colour shown. Parameters are the results of
    :func:`ilp_core.analysis.hotspots.district_counts` (its table as ``districts``, with
    ``count`` and ``rate_per_1000``), :func:`~ilp_core.analysis.hotspots.gi_star`,
    :func:`~ilp_core.analysis.hotspots.kernel_density` and
    :func:`~ilp_core.analysis.hotspots.local_moran`; any may be ``None``.
    """
    t = i18n.t
    bounds = _bounds_of(districts, gi, density)
    m = new_map(bounds, tiles=tiles, assets=assets)
    sections: list[LegendSection] = []
    if districts is not None and len(districts) and district_value in districts:
        areas = districts.copy()
        areas["district_label"] = areas["district"].map(lambda d: i18n.term(d, lang))
        areas["value_label"] = areas[district_value].map(
            lambda v: (
                i18n.number(v, lang, 1 if district_value != "count" else 0)
                if np.isfinite(v)
                else "–"
            )
        )
        title = t(f"maps.district_{district_value}", lang)
        sections.append(
            add_choropleth(
                m, areas, district_value, name=title,
                tooltip_fields=["district_label", "value_label"],
                tooltip_aliases=[t("maps.district", lang), title],
                legend_title=title, lang=lang, decimals=0 if district_value == "count" else 1,
                show=gi is None,
            )
        )  # fmt: skip
    if density is not None:
        sections.append(
            add_density_overlay(
                m, density.density, density.grid, density.in_area,
                name=t("maps.density", lang),
                legend_title=t("maps.density_legend", lang), lang=lang, show=gi is None,
            )
        )  # fmt: skip
    if gi is not None and gi.unit == "grid":
        cells = gi.table.copy()
        cells["class_label"] = (
            cells["gi_class"].astype(str).map(lambda c: t(f"hotspots.class.{c}", lang))
        )
        cells["z_label"] = cells["gi_z"].map(lambda z: i18n.number(z, lang, 2))
        sections.append(
            add_classed_areas(
                m, cells, "gi_class", GI_COLOURS,
                {c: t(f"hotspots.class.{c}", lang) for c in GI_COLOURS},
                name=t("maps.gi_layer", lang),
                tooltip_fields=["class_label", "count", "z_label"],
                tooltip_aliases=[t("maps.gi_class", lang), t("maps.incidents", lang), "z"],
                legend_title=t("maps.gi_layer", lang),
            )
        )  # fmt: skip
    if lisa is not None:
        areas = lisa.table.copy()
        areas["district_label"] = areas["district"].map(lambda d: i18n.term(d, lang))
        areas["class_label"] = (
            areas["lisa_class"].astype(str).map(lambda c: t(f"hotspots.lisa.{c}", lang))
        )
        sections.append(
            add_classed_areas(
                m, areas, "lisa_class", LISA_COLOURS,
                {c: t(f"hotspots.lisa.{c}", lang) for c in LISA_COLOURS},
                name=t("maps.lisa_layer", lang),
                tooltip_fields=["district_label", "class_label", "count"],
                tooltip_aliases=[t("maps.district", lang), t("maps.lisa_class", lang),
                                 t("maps.incidents", lang)],
                legend_title=t("maps.lisa_layer", lang), show=False,
            )
        )  # fmt: skip
    if districts is not None and len(districts):
        _add_outlines(m, districts, lang)
    return finish(m, sections)


def change_map(
    change: Any,
    *,
    districts: gpd.GeoDataFrame | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: Tiles | None = None,
    assets: MapAssets = APP_ASSETS,
) -> folium.Map:
    """Cells classed persistent, emerging, former or intermittent (never-hot cells not sent)."""
    t = i18n.t
    m = new_map(_bounds_of(districts, change, None), tiles=tiles, assets=assets)
    cells = change.table.copy()
    cells["class_label"] = (
        cells["change_class"].astype(str).map(lambda c: t(f"hotspots.change.{c}", lang))
    )
    section = add_classed_areas(
        m, cells, "change_class", CHANGE_COLOURS,
        {c: t(f"hotspots.change.{c}", lang) for c in CHANGE_COLOURS},
        name=t("maps.change_layer", lang),
        tooltip_fields=["class_label", "n_hot", "count"],
        tooltip_aliases=[t("maps.change_class", lang), t("maps.hot_periods", lang),
                         t("maps.incidents", lang)],
        legend_title=t("maps.change_layer", lang),
    )  # fmt: skip
    if districts is not None and len(districts):
        _add_outlines(m, districts, lang)
    return finish(m, [section])


def _add_outlines(m: folium.Map, districts: gpd.GeoDataFrame, lang: str) -> None:
    """District borders with their names on hover, always on top and never filled."""
    areas = escape_properties(pd.DataFrame({"district_label": districts["district"].map(
        lambda d: i18n.term(d, lang))}))  # fmt: skip
    layer = gpd.GeoDataFrame(
        areas, geometry=simplified(districts, 10.0).to_numpy(), crs="EPSG:4326"
    )
    folium.GeoJson(
        light_json(layer),
        name=safe_text(i18n.t("maps.district_borders", lang)),
        style_function=lambda _: {"color": "#333333", "weight": 1.2, "fill": False},
        tooltip=folium.GeoJsonTooltip(
            fields=["district_label"], aliases=[safe_text(i18n.t("maps.district", lang))]
        ),
    ).add_to(m)


def _bounds_of(districts: gpd.GeoDataFrame | None, *results: Any) -> tuple[float, ...]:
    if districts is not None and len(districts):
        return district_bounds(districts)
    for result in results:
        table = getattr(result, "table", None)
        if isinstance(table, gpd.GeoDataFrame) and len(table):
            west, south, east, north = table.total_bounds
            return south, west, north, east
        grid = getattr(result, "grid", None)
        if grid is not None:
            cells = grid.cells(np.arange(grid.nx * grid.ny)[:: max(1, grid.nx * grid.ny - 1)])
            west, south, east, north = cells.total_bounds
            return south, west, north, east
    raise ValueError("nothing to map: no districts and no gridded result")
