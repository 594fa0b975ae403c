"""Figures and tables of the Outlook step: forecasts, emerging clusters, emerging offences.

Every label comes from the catalogs; every text from data that reaches the map
is escaped (:func:`ilp_core.figures.maps.safe_text`).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.analysis.forecast import EmergingOffences, Forecast
from ilp_core.analysis.space_time_scan import SpaceTimeScan
from ilp_core.errors import IlpInputError
from ilp_core.figures._style import BAND, DARK, GREY, RED, layout
from ilp_core.figures.maps import (
    APP_ASSETS,
    LegendSection,
    MapAssets,
    Tiles,
    district_bounds,
    finish,
    new_map,
    safe_text,
)

#: The wider band, lighter than the 80 % band (RdBu light blue).
BAND_95 = "rgba(146, 197, 222, 0.20)"


def forecast_chart(
    result: Forecast, series: str, *, lang: str = i18n.DEFAULT_LANGUAGE
) -> go.Figure:
    """Monthly history, the forecast and its 80 % and 95 % prediction intervals.

    Parameters
    ----------
    result
        Result of :func:`ilp_core.analysis.forecast.forecast`.
    series
        The offence or district to show; it must have been forecast.
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named by role in ``meta``: ``band95`` (two), ``band80`` (two),
        ``history``, ``forecast``.

    Raises
    ------
    IlpInputError
        ``forecast.not_forecast`` when ``series`` has no forecast.

    Examples
    --------
    >>> from ilp_core.analysis.forecast import forecast, monthly_series
    >>> from ilp_core.data.dataset import load_sample
    >>> fc = forecast(monthly_series(load_sample().incidents, top=1), paths=200)
    >>> [t.meta for t in forecast_chart(fc, "Violence without injury").data]
    ['band95', 'band95', 'band80', 'band80', 'history', 'forecast']
    """
    fut = result.forecast[result.forecast["series"] == series]
    if fut.empty:
        raise IlpInputError("forecast.not_forecast", series=i18n.term(series, lang))
    hist = result.history[result.history["series"] == series]
    t = i18n.t
    xf = pd.to_datetime(fut["period_start"]).to_list()
    fig = go.Figure()
    for level, colour in (("95", BAND_95), ("80", BAND)):
        fig.add_trace(
            go.Scatter(
                x=xf, y=fut[f"lower_{level}"].to_numpy(float), mode="lines",
                line={"width": 0}, showlegend=False, hoverinfo="skip", meta=f"band{level}",
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=xf, y=fut[f"upper_{level}"].to_numpy(float), mode="lines",
                line={"width": 0}, fill="tonexty", fillcolor=colour,
                name=t(f"forecast.chart.band_{level}", lang), meta=f"band{level}",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(hist["period_start"]).to_list(), y=hist["count"].to_numpy(float),
            mode="lines+markers", line={"color": DARK, "width": 1.5}, marker={"size": 4},
            name=t("forecast.chart.history", lang), meta="history",
        )
    )  # fmt: skip
    model = t(f"forecast.model.{fut['model'].iloc[0]}", lang)
    fig.add_trace(
        go.Scatter(
            x=xf, y=fut["forecast"].to_numpy(float), mode="lines+markers",
            line={"color": RED, "dash": "dash"}, marker={"size": 5, "symbol": "diamond"},
            name=t("forecast.chart.forecast", lang, model=model), meta="forecast",
        )
    )  # fmt: skip
    title = t("forecast.chart.title", lang, series=i18n.term(series, lang))
    return layout(fig, title, t("forecast.chart.month", lang), t("forecast.chart.incidents", lang))


def _interval(low: float, high: float, lang: str, decimals: int = 0) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "—"
    return f"{i18n.number(low, lang, decimals)} – {i18n.number(high, lang, decimals)}"


def change_table(
    result: Forecast, *, horizon: int, lang: str = i18n.DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """The expected change over the next ``horizon`` months, one row per forecast series.

    Columns (translated): the series, incidents expected and their 80 % interval,
    incidents in the same months a year earlier, the change (%) and its 80 %
    interval, the chance of a rise, and the outlook.

    Examples
    --------
    >>> from ilp_core.analysis.forecast import forecast, monthly_series
    >>> from ilp_core.data.dataset import load_sample
    >>> fc = forecast(monthly_series(load_sample().incidents, top=1), paths=200)
    >>> change_table(fc, horizon=3).columns[0]
    'Offence'
    """
    tab = result.change[result.change["horizon"] == horizon]
    t = i18n.t
    out = pd.DataFrame(
        {
            t(f"forecast.column.series_{result.by}", lang): tab["series"].map(
                lambda s: i18n.term(s, lang)
            ),
            t("forecast.column.expected", lang): tab["expected"].round().astype("int64"),
            t("forecast.column.interval_80", lang): [
                _interval(lo, hi, lang)
                for lo, hi in zip(tab["lower_80"], tab["upper_80"], strict=True)
            ],
            t("forecast.column.previous", lang): tab["previous"].round().astype("int64"),
            t("forecast.column.change_pct", lang): tab["change_pct"].round(1),
            t("forecast.column.change_interval_80", lang): [
                _interval(lo, hi, lang, 1)
                for lo, hi in zip(tab["change_lower_80"], tab["change_upper_80"], strict=True)
            ],
            t("forecast.column.p_rise", lang): (100 * tab["p_rise"]).round().astype("int64"),
            t("forecast.column.outlook", lang): tab["outlook"].map(
                lambda o: t(f"forecast.outlook.{o}", lang)
            ),
        }
    )
    return out.reset_index(drop=True)


def summary_table(result: Forecast, *, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Per series: forecast or why not, the model chosen, its backtest MASE and coverage.

    Examples
    --------
    >>> from ilp_core.analysis.forecast import forecast, monthly_series
    >>> from ilp_core.data.dataset import load_sample
    >>> fc = forecast(monthly_series(load_sample().incidents, top=1), paths=200)
    >>> summary_table(fc).iloc[0, 1]
    'Forecast'
    """
    tab = result.summary
    t = i18n.t
    return pd.DataFrame(
        {
            t(f"forecast.column.series_{result.by}", lang): tab["series"].map(
                lambda s: i18n.term(s, lang)
            ),
            t("forecast.column.status", lang): tab["status"].map(
                lambda s: t(f"forecast.status.{s}", lang)
            ),
            t("forecast.column.model", lang): tab["model"].map(
                lambda m: t(f"forecast.model.{m}", lang) if m else "—"
            ),
            t("forecast.column.mase", lang): tab["mase"].round(2),
            t("forecast.column.coverage_80", lang): (100 * tab["coverage_80"]).round(),
            t("forecast.column.coverage_95", lang): (100 * tab["coverage_95"]).round(),
            t("forecast.column.mean_per_month", lang): tab["mean_per_month"].round(1),
        }
    )


def emerging_table(result: EmergingOffences, *, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The emerging-offences test, translated: counts, expectation, ratio, p-values, status.

    Examples
    --------
    >>> from ilp_core.analysis.forecast import emerging_offences
    >>> from ilp_core.data.dataset import load_sample
    >>> emerging_table(emerging_offences(load_sample().incidents)).iloc[0, -1]
    'Emerging'
    """
    tab = result.table
    t = i18n.t
    return pd.DataFrame(
        {
            t("forecast.column.series_offence", lang): tab["offence"].map(
                lambda s: i18n.term(s, lang)
            ),
            t("forecast.column.baseline_count", lang): tab["baseline_count"],
            t("forecast.column.recent_count", lang): tab["recent_count"],
            t("forecast.column.expected_recent", lang): tab["expected"].round(1),
            t("forecast.column.ratio", lang): tab["ratio"].round(2),
            t("forecast.column.p_value", lang): tab["p_value"].round(4),
            t("forecast.column.p_fdr", lang): tab["p_fdr"].round(4),
            t("forecast.column.emerging_status", lang): tab["status"].map(
                lambda s: t(f"forecast.emerging.{s}", lang)
            ),
        }
    )


def cluster_table(result: SpaceTimeScan, *, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The clusters of the space-time scan, translated: place, start, size, strength, p-value.

    Examples
    --------
    >>> from ilp_core.analysis.space_time_scan import space_time_scan
    >>> from ilp_core.data.dataset import load_sample
    >>> scan = space_time_scan(load_sample().incidents, permutations=19)
    >>> cluster_table(scan).iloc[0, 1]
    'Station'
    """
    tab = result.clusters
    t = i18n.t
    return pd.DataFrame(
        {
            t("scan.column.rank", lang): tab["rank"],
            t("scan.column.district", lang): tab["district"].map(lambda s: i18n.term(s, lang)),
            t("scan.column.top_offence", lang): tab["top_offence"].map(
                lambda s: i18n.term(s, lang)
            ),
            t("scan.column.start", lang): tab["start"].map(lambda d: i18n.date(d, lang)),
            t("scan.column.days", lang): tab["days"],
            t("scan.column.radius_m", lang): tab["radius_m"].round().astype("int64"),
            t("scan.column.observed", lang): tab["observed"],
            t("scan.column.expected", lang): tab["expected"].round(1),
            t("scan.column.ratio", lang): tab["ratio"].round(2),
            t("scan.column.p_value", lang): tab["p_value"].round(3),
            t("scan.column.recurrence_years", lang): tab["recurrence_years"].round(1),
        }
    )


def cluster_map(
    result: SpaceTimeScan,
    *,
    districts: gpd.GeoDataFrame | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles: Tiles | None = None,
    assets: MapAssets = APP_ASSETS,
) -> folium.Map:
    """The clusters as circles: red when significant, grey otherwise; numbers by rank.

    Each circle covers the grid cells of its cluster (radius to the farthest cell
    centre plus half a cell). Only the clusters are sent, never the incidents.

    Examples
    --------
    >>> from ilp_core.analysis.space_time_scan import space_time_scan
    >>> from ilp_core.data.dataset import load_sample
    >>> data = load_sample()
    >>> m = cluster_map(space_time_scan(data.incidents, permutations=19), districts=data.districts)
    >>> "L.circle(" in m.get_root().render()
    True
    """
    t = i18n.t
    tab = result.clusters
    if districts is not None and len(districts):
        bounds = district_bounds(districts)
    elif len(tab):
        pad = 0.02
        bounds = (tab["lat"].min() - pad, tab["lon"].min() - pad,
                  tab["lat"].max() + pad, tab["lon"].max() + pad)  # fmt: skip
    else:
        raise IlpInputError("scan.nothing_to_map")
    m = new_map(bounds, tiles=tiles, assets=assets)
    if districts is not None and len(districts):
        outline = gpd.GeoDataFrame(geometry=districts.geometry.to_numpy(), crs=districts.crs)
        folium.GeoJson(
            outline.to_crs("EPSG:4326").to_json(drop_id=True),
            name=safe_text(t("maps.district_borders", lang)),
            style_function=lambda _: {"color": "#555555", "weight": 1, "fill": False},
        ).add_to(m)
    layer = folium.FeatureGroup(name=safe_text(t("scan.map.layer", lang)))
    for row in tab.itertuples(index=False):
        colour = RED if row.significant else GREY
        tip = t(
            "scan.map.tooltip", lang, rank=row.rank, district=i18n.term(row.district, lang),
            start=row.start, days=row.days, observed=row.observed,
            expected=i18n.number(row.expected, lang, 1), p=i18n.number(row.p_value, lang, 3),
        )  # fmt: skip
        folium.Circle(
            location=[row.lat, row.lon],
            radius=float(row.radius_m + result.cell_size / 2),
            color=colour,
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=0.25,
            tooltip=safe_text(tip),
        ).add_to(layer)
    layer.add_to(m)
    section = LegendSection(
        t("scan.map.layer", lang),
        ((RED, t("scan.map.significant", lang, alpha=result.alpha)),
         (GREY, t("scan.map.not_significant", lang))),
    )  # fmt: skip
    return finish(m, [section])
