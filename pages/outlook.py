"""Outlook: forecasts with honest intervals, emerging clusters, emerging offences."""

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.analysis import forecast
from ilp_core.analysis import space_time_scan as stscan
from ui import cache, outlook, state, tables, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
lang = state.lang()
st.title(tr("outlook.title"))
st.markdown(tr("outlook.purpose"))
offences = list(view.incidents["offence"].value_counts().index.astype(str))
tab_fc, tab_scan, tab_em = st.tabs(
    [tr("outlook.tab_forecast"), tr("outlook.tab_clusters"), tr("outlook.tab_emerging")]
)

with tab_fc:
    c = st.columns([1, 2])
    by = c[0].radio(
        tr("outlook.by"), ("offence", "district"), key="p.outlook.by",
        format_func=state.label("outlook.by."),
    )  # fmt: skip
    top = c[1].multiselect(
        tr("outlook.district_offences"), offences, key="p.outlook.top",
        format_func=state.term_label(), disabled=by != "district",
    )  # fmt: skip
    chosen = top if by == "district" else []
    series_key = f"{view.key}|{by}|{sorted(chosen)}"
    series = widgets.attempt(
        cache.compute, forecast.monthly_series, view.key, view.incidents, by=by, offences=chosen
    )
    result = None
    if series is not None:
        result = widgets.attempt(cache.compute, forecast.forecast, series_key, series)
if result is not None:
    with tab_fc:
        done = result.summary.loc[result.summary["status"] == "forecast", "series"].tolist()
        if done:
            pick = st.selectbox(
                tr("outlook.series"), done, key="p.outlook.series", format_func=state.term_label()
            )
            fig = cache.figure(figures.outlook.forecast_chart, result, pick, lang=lang)
            st.plotly_chart(fig, key="outlook.chart")
            narrow = result.summary.set_index("series").loc[pick, "narrow_intervals"]
            if narrow:
                widgets.say(
                    st.warning,
                    "forecast.narrow",
                    series=state.term(pick),
                    icon=":material/warning:",
                )
            st.caption(tr("forecast.caption.forecast"))
            state.default("p.outlook.horizon", result.horizons[-1])
            horizon = st.radio(
                tr("outlook.horizon"), result.horizons, horizontal=True, key="p.outlook.horizon"
            )
            table = figures.outlook.change_table(result, horizon=horizon, lang=lang)
            tables.show(table)
            likely = i18n.percent(result.likely, lang)
            st.caption(tr("forecast.caption.change", horizon=horizon, likely=likely,
                          paths=result.paths))  # fmt: skip
            widgets.download_table(result.change, "forecast", key="outlook.change", excel=True)
        else:
            st.info(tr("outlook.nothing_forecast"), icon=":material/info:")
        st.subheader(tr("outlook.backtest_title"))
        tables.show(figures.outlook.summary_table(result, lang=lang))
        st.caption(tr("forecast.caption.mase", origins=result.origins_used,
                      horizon=result.backtest_horizon, max_mase=result.max_mase))  # fmt: skip
        st.caption(tr("forecast.caption.coverage"))
        st.caption(tr("forecast.caption.rules", months=result.min_months, mean=result.min_mean))
        widgets.download_table(result.backtest, "forecast-backtest", key="outlook.backtest")

with tab_scan:
    scan_offences, params, run = outlook.scan_settings(offences)
    subset = view.incidents
    if scan_offences:
        subset = subset.loc[subset["offence"].astype(str).isin(scan_offences)]
    stamp = f"{view.key}|{sorted(scan_offences)}|{sorted(params.items())}"
    if run:
        cancel = st.empty()  # pressing it reruns the page, which stops the scan
        cancel.button(tr("outlook.cancel"), key="outlook.cancel", icon=":material/stop_circle:")
        bar = st.progress(0.0, text=tr("outlook.running", n=i18n.number(len(subset), lang)))
        scan = widgets.attempt(
            cache.with_progress, stscan.space_time_scan, stamp, subset,
            progress=lambda f: bar.progress(min(1.0, f)), **params,
        )  # fmt: skip
        bar.empty()
        cancel.empty()
        if scan is not None:
            st.session_state["outlook.scan"] = (stamp, scan)
    elif st.session_state.get("outlook.cancel"):
        st.info(tr("outlook.cancelled"), icon=":material/stop_circle:")
    saved = st.session_state.get("outlook.scan")
    if saved is None:
        st.info(tr("outlook.press_run"), icon=":material/info:")
    else:
        if saved[0] != stamp:
            st.warning(tr("outlook.stale"), icon=":material/history:")
        outlook.show_scan(saved[1], saved[0], view)

with tab_em:
    em = widgets.attempt_or_explain(
        cache.compute, forecast.emerging_offences, view.key, view.incidents
    )
    if em is not None:
        table = figures.outlook.emerging_table(em, lang=lang)
        tables.show(table)
        st.caption(tr("forecast.caption.emerging", recent=em.recent_months, start=em.recent_start,
                      end=em.recent_end, baseline=em.baseline_months, alpha=em.alpha))  # fmt: skip
        widgets.download_table(em.table, "emerging-offences", key="outlook.emerging", excel=True)
