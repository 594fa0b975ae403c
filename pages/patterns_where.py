"""Where: hot spots, density and district figures on one map, and how hot spots change."""

import streamlit as st

from ilp_core import figures
from ilp_core.analysis import hotspots
from ui import cache, patterns, state, tables, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
districts = view.dataset.districts
st.title(tr("where.title"))
st.markdown(tr("where.purpose"))
settings = patterns.spatial_settings()
grid = {"cell_size": settings["cell_size"]}
tab_map, tab_change, tab_districts = st.tabs(
    [tr("where.tab_map"), tr("where.tab_change"), tr("where.tab_districts")]
)

with tab_map:
    counts = widgets.attempt(
        cache.compute, hotspots.district_counts, view.key, view.incidents, districts
    )
    gi = widgets.attempt(
        cache.compute, hotspots.gi_star, view.key, view.incidents, districts,
        unit="grid", fdr=settings["fdr"], **grid,
    )  # fmt: skip
    density = widgets.attempt(
        cache.compute, hotspots.kernel_density, view.key, view.incidents, districts,
        kernel=settings["kernel"], rule=settings["rule"], bandwidth=settings["bandwidth"], **grid,
    )  # fmt: skip
    lisa = None
    if districts is not None:
        lisa = widgets.attempt(
            cache.compute, hotspots.local_moran, view.key, view.incidents, districts
        )
    measure = "count"  # "Colour districts by" only where there are districts to colour
    if districts is not None:
        measure = st.radio(
            tr("where.district_measure"), ("count", "rate_per_1000"), horizontal=True,
            format_func=state.label("maps.district_"), key="p.where.measure",
        )  # fmt: skip
    if gi is not None or counts is not None:
        the_map = cache.shared(
            patterns.where_map, f"{view.key}|{settings}", counts if districts is not None else None,
            gi, density, lisa, measure=measure, lang=state.lang(), tiles=widgets.tiles(),
        )  # fmt: skip
        widgets.show_map(the_map, height=600)
        st.caption(tr("where.map_caption"))
        st.info(tr("where.cold_spot_note"), icon=":material/info:")
    if gi is not None and density is not None:
        st.caption(
            tr(
                "where.parameters", cell=patterns.metres(gi.grid.cell_size),
                kernel=tr(f"hotspots.kernel.{density.kernel}"),
                bandwidth=patterns.metres(density.bandwidth_x),
                rule=tr(f"hotspots.rule.{density.rule}"),
                fdr=tr("where.fdr_on") if gi.fdr else tr("where.fdr_off"),
            )
        )  # fmt: skip
        patterns.show_messages([*gi.warnings, *density.warnings])
        cells = gi.table.loc[gi.table["gi_class"].astype(str) != "not_significant"]
        left, right = st.columns(2)
        with left:
            widgets.download_geojson(cells, "hotspot-cells", key="where.gi_geojson")
        with right:
            widgets.download_table(cells.drop(columns="geometry"), "hotspot-cells", key="where.gi")

with tab_change:
    st.markdown(tr("where.change_intro"))
    state.default("p.where.period_days", 0)  # 0: the library chooses
    period_days = st.number_input(
        tr("where.period_days"), min_value=0, max_value=366, step=7,
        key="p.where.period_days", help=tr("where.period_days_help"),
    )  # fmt: skip
    change = widgets.attempt(
        cache.compute, hotspots.hotspot_change, view.key, view.incidents, districts,
        period_days=int(period_days) or None, fdr=settings["fdr"], **grid,
    )  # fmt: skip
    if change is not None:
        change_map = cache.shared(
            figures.where.change_map, f"{view.key}|{settings}|{period_days}", change,
            districts=districts, lang=state.lang(), tiles=widgets.tiles(),
        )  # fmt: skip
        widgets.show_map(change_map, height=560)
        th = change.thresholds
        st.caption(
            tr(
                "where.change_rules", n=change.n_periods, days=change.period_days,
                recent=th.recent_periods, persistent=round(100 * th.persistent_share),
                emerging=round(100 * th.emerging_before_share),
                former=round(100 * th.former_before_share),
            )
        )  # fmt: skip
        patterns.show_messages(change.warnings)
        classes = change.table["change_class"].astype(str).value_counts()
        st.dataframe(
            {tr("maps.change_class"): [tr(f"hotspots.change.{c}") for c in classes.index],
             tr("where.cells"): classes.to_list()},
            hide_index=True,
        )  # fmt: skip
        changed = change.table.loc[change.table["change_class"].astype(str) != "never"]
        widgets.download_geojson(changed, "hotspot-change", key="where.change_geojson")
        widgets.download_table(
            change.table.drop(columns="geometry"), "hotspot-change", key="where.change"
        )

with tab_districts:
    if counts is not None:
        table = counts.table.drop(columns="geometry", errors="ignore")
        if lisa is not None:
            table = lisa.table.drop(columns="geometry")
        tables.show(table)
        st.caption(tr("where.districts_caption"))
        patterns.show_messages(counts.warnings)
        widgets.download_table(table, "district-figures", key="where.districts", excel=True)
        spatial = lisa.table if lisa is not None else counts.table
        if "geometry" in spatial:
            widgets.download_geojson(spatial, "district-figures", key="where.districts_geojson")
