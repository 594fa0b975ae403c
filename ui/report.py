"""Streamlit glue of the Report page: gather the session's work, build and cache the files.

Session keys read (written by other pages; never modified here):

``priority.last``          the Priorities page's last ``(key, (ranking, stability, criteria))``
``allocation.last``        the Allocation page's last ``(Allocation, scenario)``
``nearrepeat.result``      the Near-repeat page's last ``(stamp, KnoxResult)``
``ilp.intel_log`` ...      the product tables (``report.PRODUCT_TABLES``)
``ilp.privacy_actions``     what the Data page did to personal columns of the upload
``p.where.cell``, ``p.where.fdr``, ``p.nr.offences``  the pattern pages' settings

This page's own key: ``report.last`` (the last files built, shown until the next build).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

import pandas as pd
import streamlit as st

from ilp_core.decide import allocation
from ilp_core.errors import IlpInputError
from ilp_core.products import report
from ui import cache, state
from ui import priorities as ui_priorities
from ui.priorities import current_assessment, current_ranking

LAST = "report.last"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


@dataclasses.dataclass(frozen=True)
class Files:
    """A built report: both files, its findings and what it was built from."""

    stamp: str
    html: str
    pdf: bytes
    findings: tuple[str, ...]
    wider_release: bool
    k: int
    ranking: pd.DataFrame | None


def session_work(view: state.View) -> tuple[report.SessionWork, str]:
    """The session's results for the report, and a key that changes when any of them does."""
    ss = st.session_state
    try:
        ranking = current_ranking(view)
    except IlpInputError:  # no problem can be scored in these data: the section says so
        ranking = None
    saved = ss.get(ui_priorities.LAST)
    stability = saved[1][1] if saved is not None and saved[0][0] == view.key else None
    try:
        assessment = current_assessment(view)
    except IlpInputError:
        assessment = None
    parts: list[Any] = [ranking.table if ranking is not None else None]
    parts += [ranking.scheme.to_dict() if ranking is not None else None]
    parts += [stability.table if stability is not None else None]
    parts += [assessment.to_dict() if assessment is not None else None]
    alloc, areas, scenario = None, None, {}
    if allocation_last := ss.get("allocation.last"):
        alloc, scenario = allocation_last
        areas = _allocation_areas(view, scenario)
        parts += [alloc.table, dict(alloc.settings), scenario]
    knox, knox_offences = None, ()
    saved_knox = ss.get("near_repeat.result")
    if saved_knox is not None and str(saved_knox[0]).startswith(view.key + "|"):
        chosen = sorted(ss.get("p.nr.offences") or [])
        knox = saved_knox[1]
        knox_offences = tuple(chosen) if f"|{chosen}|" in str(saved_knox[0]) else ()
        parts += [saved_knox[0]]
    products = {name: ss.get(f"ilp.{name}") for name in report.PRODUCT_TABLES}
    parts += [products[name] for name in report.PRODUCT_TABLES]
    work = report.SessionWork(
        ranking=ranking,
        stability=stability,
        assessment=assessment,
        allocation=alloc,
        allocation_areas=areas,
        allocation_scenario=scenario,
        knox=knox,
        knox_offences=knox_offences,
        products=products,
        privacy_actions=tuple(ss.get("ilp.privacy_actions") or ()),
    )
    parts += [list(work.privacy_actions)]
    return work, _digest(parts)


def _allocation_areas(view: state.View, scenario: dict[str, Any]) -> Any:
    """Polygons of the allocation's areas: the districts, or the hot-spot cells it used."""
    districts = view.dataset.districts
    if scenario.get("areas") != "cells":
        return districts
    from ui import allocation as ui_allocation

    weights = ui_allocation.demand_weights(str(scenario.get("measure")), view.dataset.offences)
    try:
        return cache.compute(
            allocation.cell_demand, view.key, view.incidents, districts,
            top_n=int(scenario.get("top_n", 50)), weights=weights,
        )  # fmt: skip
    except IlpInputError:
        return None


def _digest(parts: list[Any]) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            h.update(part.to_json(orient="split", default_handler=str).encode("utf-8"))
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()[:16]


def options_stamp(view: state.View, work_key: str, **options: Any) -> str:
    """What a build depends on: the data in view, the session's work and the options."""
    return f"{view.key}|{work_key}|{json.dumps(options, sort_keys=True, default=str)}"


def build(view: state.View, *, lang: str, sections: list[str], wider: bool, k: int) -> Files:
    """Build both files (cached by data key, session work and options)."""
    work, work_key = session_work(view)
    cell = st.session_state.get("p.where.cell") or 0
    options = {
        "lang": lang,
        "sections": [s for s in report.SECTIONS if s in sections],
        "wider_release": bool(wider),
        "k": int(k),
        "cell_size": float(cell) if cell else None,
        "fdr": bool(st.session_state.get("p.where.fdr", True)),
    }
    stamp = options_stamp(view, work_key, **options)
    return _build(stamp, view, work, options)


@st.cache_data(show_spinner=False, max_entries=8)
def _build(stamp: str, _view: state.View, _work: report.SessionWork, _options: dict) -> Files:
    """One report per stamp; few kept (each holds a few megabytes)."""
    content = report.build_report(
        _view.dataset, _view.incidents, _work,
        period=(_view.start, _view.end) if _view.start and _view.end else None,
        offences=_view.offences, **_options,
    )  # fmt: skip
    ranking = report_table(content, "ranking")
    return Files(
        stamp=stamp,
        html=report.to_html(content),
        pdf=report.to_pdf(content),
        findings=content.findings,
        wider_release=content.wider_release,
        k=content.k,
        ranking=ranking,
    )


def report_table(content: report.Report, key: str) -> pd.DataFrame | None:
    """The numbers behind one of the report's tables, or None."""
    table = content.table(key)
    return table.data if table is not None else None


def current_stamp(view: state.View, *, lang: str, sections: list[str], wider: bool, k: int) -> str:
    """The stamp a build with these options would have now (to tell a stale report)."""
    _, work_key = session_work(view)
    cell = st.session_state.get("p.where.cell") or 0
    return options_stamp(
        view, work_key, lang=lang, sections=[s for s in report.SECTIONS if s in sections],
        wider_release=bool(wider), k=int(k), cell_size=float(cell) if cell else None,
        fdr=bool(st.session_state.get("p.where.fdr", True)),
    )  # fmt: skip


def markdown_text(text: str) -> str:
    """A sentence with data in it (offence names...) made inert for ``st.markdown``."""
    return _MARKDOWN.sub(r"\\\1", text)


def file_stem(files: Files) -> str:
    """The downloads' file name: ``strategic-assessment[-wider-release]``."""
    return "strategic-assessment" + ("-wider-release" if files.wider_release else "")
