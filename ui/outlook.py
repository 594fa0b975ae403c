"""Streamlit glue of the Outlook page: the scan's settings form and its result."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.analysis import space_time_scan as stscan
from ui import cache, tables, widgets
from ui.state import View, default, lang, term_label, tr


def scan_settings(offences: list[str]) -> tuple[list[str], dict[str, Any], bool]:
    """The scan's form (keys ``p.outlook.*``): offences chosen, settings, and whether to run.

    Every default is the library's (``ilp_core.analysis.space_time_scan.DEFAULT_*``).
    """
    default("p.outlook.cell", int(stscan.DEFAULT_CELL_SIZE))
    default("p.outlook.radius", int(stscan.DEFAULT_MAX_RADIUS))
    default("p.outlook.study", stscan.DEFAULT_STUDY_DAYS)
    default("p.outlook.max_days", stscan.DEFAULT_MAX_DAYS)
    default("p.outlook.step", stscan.DEFAULT_STEP_DAYS)
    default("p.outlook.perms", stscan.DEFAULT_PERMUTATIONS)
    default("p.outlook.seed", 0)
    with st.form("outlook.scan_form"):
        chosen = st.multiselect(
            tr("outlook.scan_offences"), offences, key="p.outlook.scan_offences",
            format_func=term_label(),
        )  # fmt: skip
        with st.expander(tr("outlook.settings"), icon=":material/tune:"):
            c = st.columns(3)
            cell = c[0].number_input(
                tr("outlook.cell_size"), 100, 5000, step=50, key="p.outlook.cell"
            )
            radius = c[0].number_input(
                tr("outlook.max_radius"), 0, 20000, step=100, key="p.outlook.radius"
            )
            study = c[1].number_input(tr("outlook.study_days"), 28, 3660, key="p.outlook.study")
            max_days = c[1].number_input(tr("outlook.max_days"), 1, 1830, key="p.outlook.max_days")
            step = c[2].number_input(tr("outlook.step_days"), 1, 91, key="p.outlook.step")
            perms = c[2].number_input(tr("outlook.permutations"), 9, 9999, key="p.outlook.perms")
            seed = c[2].number_input(tr("outlook.seed"), 0, 2**31 - 1, key="p.outlook.seed")
        run = st.form_submit_button(tr("outlook.run"), type="primary", icon=":material/radar:")
    params = {
        "cell_size": float(cell), "max_radius": float(radius), "study_days": int(study),
        "max_days": int(max_days), "step_days": int(step), "permutations": int(perms),
        "seed": int(seed),
    }  # fmt: skip
    return chosen, params, bool(run)


def show_scan(scan: stscan.SpaceTimeScan, stamp: str, view: View) -> None:
    """The clusters on a map and in a table, with what the numbers mean and what was used."""
    here = lang()
    if scan.clusters.empty:
        st.info(tr("outlook.no_cluster"), icon=":material/info:")
    else:
        m = cache.shared(
            figures.outlook.cluster_map, f"{stamp}|{here}", scan,
            districts=view.dataset.districts, lang=here, tiles=widgets.tiles(),
        )  # fmt: skip
        widgets.show_map(m)
        n_sig = int(scan.clusters["significant"].sum())
        st.markdown(tr("outlook.clusters_found", n=n_sig, alpha=scan.alpha))
        table = figures.outlook.cluster_table(scan, lang=here)
        tables.show(table)
        widgets.download_table(scan.clusters, "space-time-clusters", key="outlook.clusters")
    st.caption(tr("scan.caption.method", cell=i18n.number(scan.cell_size, here), end=scan.end))
    st.caption(
        tr(
            "scan.caption.recurrence", permutations=scan.permutations,
            per_year=i18n.number(scan.analyses_per_year, here),
        )
    )  # fmt: skip
    st.caption(
        tr(
            "scan.used", n=scan.n_events, start=scan.start, end=scan.end, cells=scan.n_cells,
            permutations=scan.permutations, seed=scan.seed,
        )
    )  # fmt: skip
    for reason, n in scan.excluded.items():
        if n:
            st.caption(tr("outlook.excluded", n=n, reason=tr(f"scan.excluded.{reason}")))
