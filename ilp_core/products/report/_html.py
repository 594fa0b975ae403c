"""The report as one self-contained HTML page: interactive charts and maps, nothing from outside."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from ilp_core import figures, i18n
from ilp_core.products.report._content import Figure, MapBlock, Report


def to_html(report: Report) -> str:
    """Render the report as one self-contained HTML page that opens offline.

    plotly.js is inlined once in the page's head and every chart is an
    interactive plotly figure; every map is an interactive Leaflet map with
    Leaflet inlined (each in its own frame, as its own small document), and no
    address outside the file is ever loaded. Text is escaped by Jinja2's
    autoescaping; the charts' data are JSON with ``<`` escaped (plotly), and the
    maps' properties are HTML-escaped (:func:`ilp_core.figures.maps.escape_properties`).
    The parameters of the annex are embedded as JSON
    (``<script type="application/json" id="ilp-parameters">``).

    Parameters
    ----------
    report
        Output of :func:`ilp_core.products.report.build_report`.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> from ilp_core.products.report import build_report
    >>> page = to_html(build_report(load_sample(), sections=("data",)))
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page
    (True, False)
    """
    import jinja2
    import plotly.io as pio
    import plotly.offline
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ilp_core", "templates"),  # ilp_core/templates/
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["id"] = id
    rendered: dict[int, Markup] = {}
    charts = report.blocks(Figure)
    for number, figure in enumerate(charts):
        fig = plotly_figure(figure, report.lang, report.k if report.wider_release else None)
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{number}",
            default_height="460px",
        )
        rendered[id(figure)] = Markup(div)
    for map_block in report.blocks(MapBlock):
        rendered[id(map_block)] = Markup(_map_iframe(map_block, report.lang))
    parameters = json.dumps(report.parameters, ensure_ascii=False, sort_keys=True)
    parameters = parameters.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    template = env.get_template("report.html.j2")
    return template.render(
        report=report,
        t=lambda key, **params: i18n.t(key, report.lang, **params),
        created=i18n.date(report.created, report.lang, "long"),
        rendered=rendered,
        plotly_js=Markup(plotly.offline.get_plotlyjs()) if charts else "",
        parameters=Markup(parameters),
        digest=hashlib.sha256(parameters.encode("utf-8")).hexdigest()[:16],
    )


def plotly_figure(figure: Figure, lang: str, k: int | None = None) -> Any:
    """Build the interactive chart of a report figure (``k``: mask counts below it)."""
    data = figure.data
    if figure.kind == "hour_weekday":
        fig = figures.when.hour_weekday_heatmap(data["table"], lang=lang)
        fig.data[0].z = [
            [None if not np.isfinite(v) else float(v) for v in row]
            for row in data["matrix"].to_numpy(dtype=float)
        ]
    elif figure.kind == "series":
        fig = figures.when.series_chart(
            data["control"], offence=data["offence"], trend=data["trend"], lang=lang
        )
    elif figure.kind == "comparison":
        fig = figures.when.comparison_chart(data["comparison"], lang=lang)
    elif figure.kind == "knox":
        fig = figures.near_repeat.knox_heatmap(data["knox"], lang=lang)
    elif figure.kind == "forecast":
        fig = figures.outlook.forecast_chart(data["forecast"], data["series"], lang=lang)
    elif figure.kind == "contributions":
        fig = figures.priorities.contributions_chart(data["ranking"], lang=lang)
    else:
        raise ValueError(f"unknown figure kind {figure.kind!r}")
    del k
    return fig


def folium_map(block: MapBlock, lang: str) -> Any:
    """Build the interactive map of a report map block (Leaflet inlined, no attribution link)."""
    assets = figures.maps.MapAssets(inline=True)
    data = block.data
    if block.kind == "hotspots":
        m = figures.where.hotspot_map(
            districts=data["districts"], gi=data["gi"], lang=lang, assets=assets
        )
    elif block.kind == "change":
        m = figures.where.change_map(
            data["change"], districts=data["outlines"], lang=lang, assets=assets
        )
    elif block.kind == "allocation":
        m = figures.allocation.change_map(
            data["areas"], data["allocation"], lang=lang, assets=assets
        )
    else:
        raise ValueError(f"unknown map kind {block.kind!r}")
    m.options["attribution_control"] = False
    return m


def _map_iframe(block: MapBlock, lang: str) -> str:
    """The map as its own document in an ``<iframe srcdoc>`` (attribute-escaped).

    Sandboxed with scripts only: the map's origin is opaque, so it cannot reach the
    report around it (nor, in the app's preview, the app).
    """
    import html as html_module

    page = figures.maps.render_html(folium_map(block, lang), inline=True)
    return (
        f'<iframe class="map" sandbox="allow-scripts" title="{html_module.escape(block.title)}" '
        f'srcdoc="{html_module.escape(page, quote=True)}"></iframe>'
    )
