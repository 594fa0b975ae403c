"""Figures of the allocation step: charts (plotly) and maps (folium).

Charts: the coverage curve, hours per area, two scenarios. Maps: the change
versus today, the recommended hours and the patrol tour.

One function per figure, each taking a result of :mod:`ilp_core.decide.allocation` and
the language; every word comes from the ``allocation`` catalog. Colours are
ColorBrewer PuOr (colour-blind safe): orange for today's allocation, purple for
the recommendation, dark grey for demand; the change bars use the diverging
RdBu scale centred on zero (blue: fewer hours, red: more).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.decide.allocation import Allocation, CoverageCurve, PatrolPlan
from ilp_core.figures import maps
from ilp_core.figures._style import inert

CURRENT: Final[str] = "#e66101"  # PuOr orange
RECOMMENDED: Final[str] = "#5e3c99"  # PuOr purple
DEMAND: Final[str] = "#252525"
MORE: Final[str] = "#b2182b"  # RdBu red
LESS: Final[str] = "#2166ac"  # RdBu blue
_CELL_PREFIX: Final[str] = "cell-"


def area_label(area: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Name an area for people: a district in ``lang``, a grid cell as "Cell 1234".

    Examples
    --------
    >>> area_label("cell-1923", "fr"), area_label("Somewhere", "fr")
    ('Cellule 1923', 'Somewhere')
    """
    text = str(area)
    if text.startswith(_CELL_PREFIX) and text[len(_CELL_PREFIX) :].isdigit():
        return i18n.t("allocation.cell_label", lang, id=text[len(_CELL_PREFIX) :])
    return i18n.term(text, lang)


def area_labels(areas: Sequence[str] | pd.Series, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """:func:`area_label` of every area.

    Examples
    --------
    >>> area_labels(["cell-7", "cell-8"], "ru")
    ['Ячейка 7', 'Ячейка 8']
    """
    return [area_label(a, lang) for a in areas]


def coverage_figure(curve: CoverageCurve, *, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Plot the coverage curve: demand covered, today's hours and the recommended hours.

    The x axis is the cumulative share of the land area (or of the areas when
    their size is unknown), densest demand first; the marker shows the smallest
    area that holds half of the demand and the share of today's and of the
    recommended hours that it gets.

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate, coverage_curve
    >>> d, now = pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 5.0, "B": 5.0})
    >>> fig = coverage_figure(coverage_curve(allocate(d, 10, current=now)))
    >>> [trace.name for trace in fig.data][:3]
    ['Demand', "Today's hours", 'Recommended hours']
    """
    t = curve.table
    x = t["area_share"].to_numpy(dtype=float)
    hover = ["", *area_labels(t["area"].iloc[1:], lang)]
    fig = go.Figure()
    series = [
        ("demand_share", "allocation.fig.demand", DEMAND, "solid"),
        ("current_share", "allocation.fig.current", CURRENT, "dash"),
        ("recommended_share", "allocation.fig.recommended", RECOMMENDED, "solid"),
    ]
    for column, key, colour, dash in series:
        y = t[column].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            continue
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=i18n.t(key, lang),
                line={"color": colour, "dash": dash, "width": 2.5},
                marker={"size": 4},
                text=hover,
                hovertemplate="%{text}<br>%{x:.0%} → %{y:.0%}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=i18n.t("allocation.fig.even", lang),
            line={"color": "#969696", "dash": "dot", "width": 1},
            hoverinfo="skip",
        )
    )
    half = curve.half_area_share
    marks = [(0.5, DEMAND, "circle")]
    if np.isfinite(curve.current_at_half):
        marks.append((curve.current_at_half, CURRENT, "triangle-down"))
    marks.append((curve.recommended_at_half, RECOMMENDED, "triangle-up"))
    fig.add_trace(
        go.Scatter(
            x=[half] * len(marks),
            y=[m[0] for m in marks],
            mode="markers",
            name=i18n.t("allocation.fig.half_mark", lang),
            marker={
                "color": [m[1] for m in marks],
                "symbol": [m[2] for m in marks],
                "size": 13,
                "line": {"color": "white", "width": 1},
            },
            hovertemplate="%{x:.0%} → %{y:.0%}<extra></extra>",
        )
    )
    fig.add_vline(x=half, line={"color": "#969696", "dash": "dot", "width": 1})
    x_key = "allocation.fig.x_area" if curve.by_size else "allocation.fig.x_areas"
    fig.update_layout(
        title={"text": i18n.t("allocation.fig.coverage_title", lang)},
        xaxis={"title": i18n.t(x_key, lang), "tickformat": ".0%", "range": [0, 1]},
        yaxis={
            "title": i18n.t("allocation.fig.y_share", lang),
            "tickformat": ".0%",
            "range": [0, 1.02],
        },
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35},
        separators=_separators(lang),
    )
    return inert(fig)


def hours_figure(
    allocation: Allocation, *, lang: str = i18n.DEFAULT_LANGUAGE, top: int = 40
) -> go.Figure:
    """Plot today's and the recommended hours of each area, largest change first.

    With more than ``top`` areas only the ``top`` largest changes are drawn
    (areas without a current allocation: the largest recommendations).

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate
    >>> d, now = pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 5.0, "B": 5.0})
    >>> [trace.x.tolist() for trace in hours_figure(allocate(d, 10, current=now)).data]
    [[5.0, 5.0], [4.0, 6.0]]
    """
    t = allocation.table
    change = t["change_hours"].to_numpy(dtype=float)
    key = np.abs(change) if np.isfinite(change).all() else t["recommended_hours"].to_numpy()
    shown = t.iloc[np.argsort(-key, kind="stable")[:top]].iloc[::-1]
    labels = area_labels(shown["area"], lang)
    fig = go.Figure()
    if np.isfinite(shown["current_hours"].to_numpy(dtype=float)).all():
        fig.add_trace(
            go.Bar(
                y=labels,
                x=shown["current_hours"],
                orientation="h",
                name=i18n.t("allocation.fig.current", lang),
                marker_color=CURRENT,
            )
        )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=shown["recommended_hours"],
            orientation="h",
            name=i18n.t("allocation.fig.recommended", lang),
            marker_color=RECOMMENDED,
        )
    )
    fig.update_layout(
        barmode="group",
        title={"text": i18n.t("allocation.fig.hours_title", lang)},
        xaxis_title=i18n.t("allocation.fig.hours_axis", lang),
        template="plotly_white",
        height=max(320, 22 * len(shown) + 140),
        margin={"l": 140, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25},
        separators=_separators(lang),
    )
    return inert(fig)


def scenario_figure(
    comparison: pd.DataFrame,
    names: tuple[str, str],
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    top: int = 40,
) -> go.Figure:
    """Plot the difference between two saved scenarios per area (second minus first).

    ``comparison`` is :func:`ilp_core.decide.allocation.compare_scenarios`; red bars are
    areas the second scenario gives more hours, blue bars fewer.

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate, compare_scenarios
    >>> d = pd.Series({"A": 60.0, "B": 40.0})
    >>> table = compare_scenarios(allocate(d, 10), allocate(d, 10, floor=5))
    >>> fig = scenario_figure(table, ("s1", "s2"))
    >>> fig.data[0].x.tolist(), fig.layout.title.text
    ([1.0, -1.0], 's2 minus s1: hours per area')
    """
    diff = comparison["difference"].to_numpy(dtype=float)
    shown = comparison.iloc[np.argsort(-np.abs(diff), kind="stable")[:top]].iloc[::-1]
    values = shown["difference"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Bar(
            y=area_labels(shown["area"], lang),
            x=values,
            orientation="h",
            marker_color=[MORE if v > 0 else LESS for v in values],
            hovertemplate="%{y}: %{x:+,.0f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": DEMAND, "width": 1})
    fig.update_layout(
        title={
            "text": i18n.t("allocation.fig.scenario_title", lang, first=names[0], second=names[1])
        },
        xaxis_title=i18n.t("allocation.fig.difference_axis", lang),
        template="plotly_white",
        height=max(300, 22 * len(shown) + 140),
        margin={"l": 140, "r": 20, "t": 60, "b": 50},
        showlegend=False,
        separators=_separators(lang),
    )
    return inert(fig)


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands separators for ``lang`` (``", "`` in Russian)."""
    return i18n.number(0.5, lang, 1)[1] + i18n.number(12345, lang)[2]


#: ColorBrewer RdBu, 7 classes, from "fewer hours" (blue) to "more hours" (red).
DIVERGING: Final[tuple[str, ...]] = (
    "#2166ac",
    "#67a9cf",
    "#d1e5f0",
    "#f7f7f7",
    "#fddbc7",
    "#ef8a62",
    "#b2182b",
)
#: Class edges as fractions of the largest absolute change (symmetric around 0): the
#: white middle class is "within 5 % of the largest change".
_EDGES: Final[tuple[float, ...]] = (-2 / 3, -1 / 3, -0.05, 0.05, 1 / 3, 2 / 3)
_MIDDLE: Final[int] = 3
_UNIT_COLOURS: Final[tuple[str, ...]] = ("#5e3c99", "#e66101", "#1b7837", "#b2182b", "#2166ac")


def change_classes(change: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return the class (0-6) of each change and the 6 class edges in hours.

    The edges are -2/3, -1/3, -5 %, +5 %, +1/3 and +2/3 of the largest absolute
    change, so class 3 (white) means "about no change" and the scale is the same
    on both sides of zero.

    Examples
    --------
    >>> change_classes(np.array([-100.0, -50.0, -10.0, 0.0, 3.0, 30.0, 100.0]))[0].tolist()
    [0, 1, 2, 3, 3, 4, 6]
    """
    values = np.asarray(change, dtype=float)
    top = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    edges = np.array(_EDGES) * (top if top > 0 else 1.0)
    classes = np.searchsorted(edges, values, side="left")
    classes = np.where(values > 0, np.searchsorted(edges, values, side="right"), classes)
    return np.clip(classes, 0, len(DIVERGING) - 1), edges


def change_map(
    areas: gpd.GeoDataFrame,
    allocation: Allocation,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: maps.Tiles | None = None,
    assets: maps.MapAssets = maps.APP_ASSETS,
) -> folium.Map:
    """Map the recommended change in hours per area (diverging colours, zero in the middle).

    ``areas`` are the districts (``district`` column) or the cells (``area``
    column) with their polygons. Without a current allocation the map shows the
    recommended hours in sequential classes instead.

    Examples
    --------
    >>> import shapely
    >>> from ilp_core.decide.allocation import allocate
    >>> boxes = [shapely.box(-30.5 + 0.01 * i, 45.5, -30.49 + 0.01 * i, 45.51) for i in range(2)]
    >>> areas = gpd.GeoDataFrame({"district": ["A", "B"]}, geometry=boxes, crs="EPSG:4326")
    >>> now = pd.Series({"A": 4.0, "B": 4.0})
    >>> result = allocate(pd.Series({"A": 3.0, "B": 1.0}), 8, current=now)
    >>> page = maps.render_html(change_map(areas, result))
    >>> DIVERGING[-1] in page, DIVERGING[0] in page  # A gains 2 h (red), B loses 2 h (blue)
    (True, True)
    """
    key = "area" if "area" in areas.columns else "district"
    shown = gpd.GeoDataFrame(
        {"area": areas[key].astype(str).to_numpy()},
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    ).to_crs("EPSG:4326")
    table = allocation.table.set_index("area")
    shown = shown[shown["area"].isin(table.index)]
    rows = table.loc[shown["area"]]
    dec = 0 if allocation.settings.get("step") is not None else 1
    shown["label"] = area_labels(shown["area"], lang)
    shown["recommended"] = rows["recommended_hours"].to_numpy(dtype=float)
    shown["rec_text"] = [i18n.number(v, lang, dec) for v in shown["recommended"]]
    shown["share_text"] = [i18n.percent(v, lang, 1) for v in rows["demand_share"]]
    bounds = maps.district_bounds(shown)
    m = maps.new_map(bounds, tiles=tiles, assets=assets)
    change = rows["change_hours"].to_numpy(dtype=float)
    if not np.isfinite(change).all():
        section = maps.add_choropleth(
            m,
            shown,
            "recommended",
            name=i18n.t("allocation.map.recommended_layer", lang),
            tooltip_fields=["label", "rec_text", "share_text"],
            tooltip_aliases=[
                i18n.t("allocation.col.area", lang),
                i18n.t("allocation.col.recommended_hours", lang),
                i18n.t("allocation.col.demand_share", lang),
            ],
            legend_title=i18n.t("allocation.map.recommended_legend", lang),
            lang=lang,
            decimals=dec,
            simplify_m=0.0 if key == "area" else 10.0,
        )
        maps.add_legend(m, [section])
        return m
    classes, edges = change_classes(change)
    shown["cur_text"] = [i18n.number(v, lang, dec) for v in rows["current_hours"]]
    shown["change_text"] = [_signed(v, lang, dec) for v in change]
    fields = ["label", "cur_text", "rec_text", "change_text", "share_text"]
    props = maps.escape_properties(pd.DataFrame(shown[fields]))
    props["_fill"] = [DIVERGING[c] for c in classes]
    layer = gpd.GeoDataFrame(props, geometry=shown.geometry.to_numpy(), crs="EPSG:4326")
    folium.GeoJson(
        layer.to_json(drop_id=True),
        name=maps.safe_text(i18n.t("allocation.map.change_layer", lang)),
        style_function=_fill_style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=fields,
            aliases=[
                maps.safe_text(i18n.t(k, lang))
                for k in (
                    "allocation.col.area",
                    "allocation.col.current_hours",
                    "allocation.col.recommended_hours",
                    "allocation.col.change_hours",
                    "allocation.col.demand_share",
                )
            ],
            localize=False,
        ),
    ).add_to(m)
    top = float(np.max(np.abs(change))) if len(change) else 0.0
    bounds_h = [-top, *edges, top]
    labels = [
        i18n.t(
            "allocation.map.range",
            lang,
            low=_signed(bounds_h[i], lang, 0),
            high=_signed(bounds_h[i + 1], lang, 0),
        )
        for i in range(len(DIVERGING))
    ]
    labels[_MIDDLE] = i18n.t(
        "allocation.map.about_same",
        lang,
        low=_signed(edges[_MIDDLE - 1], lang, 0),
        high=_signed(edges[_MIDDLE], lang, 0),
    )
    title = i18n.t("allocation.map.change_legend", lang)
    items = tuple(zip(DIVERGING[::-1], labels[::-1], strict=True))
    maps.add_legend(m, [maps.LegendSection(title, items)])
    return m


def patrol_map(
    cells: gpd.GeoDataFrame,
    plan: PatrolPlan,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: maps.Tiles | None = None,
    assets: maps.MapAssets = maps.APP_ASSETS,
) -> folium.Map:
    """Map the hot spots of a patrol plan: their cells, the visiting order and each unit's tour.

    Lines are straight (the real route follows the streets); numbers are the
    visiting order within the plan.

    Examples
    --------
    >>> import shapely
    >>> from ilp_core.decide.allocation import patrol_plan
    >>> cells = gpd.GeoDataFrame(
    ...     {"area": ["a", "b"], "lat": [45.5, 45.5], "lon": [-30.5, -30.49]},
    ...     geometry=[shapely.box(-30.501, 45.499, -30.499, 45.501),
    ...               shapely.box(-30.491, 45.499, -30.489, 45.501)], crs="EPSG:4326")
    >>> "Stop 2" in maps.render_html(patrol_map(cells, patrol_plan(cells)))
    True
    """
    shown = cells.to_crs("EPSG:4326")
    shown = shown[shown["area"].astype(str).isin(plan.table["area"])]
    m = maps.new_map(maps.district_bounds(shown), tiles=tiles, assets=assets)
    outline = gpd.GeoDataFrame(
        maps.escape_properties(pd.DataFrame({"label": area_labels(shown["area"], lang)})),
        geometry=shown.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    folium.GeoJson(
        outline.to_json(drop_id=True),
        name=maps.safe_text(i18n.t("allocation.map.spots_layer", lang)),
        style_function=lambda _: {
            "fillColor": RECOMMENDED,
            "color": RECOMMENDED,
            "weight": 1,
            "fillOpacity": 0.35,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], aliases=[""], localize=False),
    ).add_to(m)
    t = plan.table
    legend = []
    for unit, part in t.groupby("unit", sort=True):
        colour = _UNIT_COLOURS[(int(unit) - 1) % len(_UNIT_COLOURS)]
        points = part[["lat", "lon"]].to_numpy(dtype=float).tolist()
        if len(points) > 1:
            folium.PolyLine(points + points[:1], color=colour, weight=3, opacity=0.9).add_to(m)
        for (lat, lon), order in zip(points, part["order"], strict=True):
            folium.CircleMarker(
                [lat, lon],
                radius=9,
                color="#ffffff",
                weight=1,
                fill=True,
                fill_color=colour,
                fill_opacity=1.0,
                tooltip=maps.safe_text(i18n.t("allocation.map.stop", lang, order=int(order))),
            ).add_to(m)
        legend.append((colour, i18n.t("allocation.map.unit", lang, unit=int(unit))))
    title = i18n.t("allocation.map.patrol_legend", lang)
    maps.add_legend(m, [maps.LegendSection(title, tuple(legend))])
    return m


def _signed(value: float, lang: str, decimals: int) -> str:
    text = i18n.number(abs(float(value)), lang, decimals)
    if round(float(value), decimals) > 0:
        return "+" + text
    if round(float(value), decimals) < 0:
        return "−" + text
    return text


def _fill_style(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["_fill"],
        "color": "#444444",
        "weight": 1,
        "fillOpacity": 0.75,
    }
