"""Streamlit pieces of the Resource Allocation page: current-allocation editor, tables, scenarios.

Session keys of this page (besides its ``p.allocation.*`` widgets):

``allocation.current``      the current allocation the user uploaded or edited
                            (a ``district, hours_per_week`` frame), per dataset
``allocation.last``         the last good run (:class:`ilp_core.decide.allocation.ScenarioResult`)
                            and its scenario (``Scenario.to_dict()``), shown again after
                            bad input; the session's work records the scenario
``allocation.scenarios``    scenarios saved in this session: name -> (Allocation,
                            settings)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
import streamlit as st

from ilp_core import figures, i18n
from ilp_core.decide import allocation, harm
from ilp_core.decide.allocation import Allocation
from ilp_core.products import export
from ui import cache, state, widgets
from ui import priorities as ui_priorities
from ui.state import lang, tr

CURRENT = "allocation.current"
LAST = "allocation.last"
SCENARIOS = "allocation.scenarios"

#: Columns of the result table as shown and downloaded, with their catalog keys.
SHOWN_COLUMNS: dict[str, str] = {
    "area": "allocation.col.area",
    "current_hours": "allocation.col.current_hours",
    "recommended_hours": "allocation.col.recommended_hours",
    "change_hours": "allocation.col.change_hours",
    "demand_share": "allocation.col.demand_share",
    "incidents": "allocation.col.incidents",
    "hours_per_incident": "allocation.col.hours_per_incident",
    "limited_by": "allocation.col.limited_by",
}


def current_allocation(
    areas: list[str], shipped: pd.DataFrame | None, data_key: str
) -> pd.Series | None:
    """The current allocation: the dataset's, an upload, or the user's edits (validated).

    Returns the hours per district, or ``None`` when there is none or it is not
    valid (the error is then shown).
    """
    store = st.session_state.setdefault(CURRENT, {})
    upload = st.file_uploader(
        tr("allocation.current_upload"), type=["csv", "xlsx"], key="allocation.current_file"
    )
    if upload is not None and store.get(f"{data_key}.file") != upload.file_id:
        read = widgets.attempt(allocation.read_current, upload.getvalue(), upload.name, areas)
        store[f"{data_key}.file"] = upload.file_id
        if read is not None:
            store[data_key] = read.rename_axis("district").reset_index()
    base = store.get(data_key)
    if base is None:
        base = shipped if shipped is not None else pd.DataFrame({"district": areas})
        base = pd.DataFrame(
            {"district": base["district"].astype(str), "hours_per_week": _hours(base)}
        )
    version = hashlib.sha1(export.csv_bytes(base)).hexdigest()[:10]
    edited = st.data_editor(
        base,
        key=f"allocation.editor.{data_key}.{version}",
        hide_index=True,
        disabled=["district"],
        column_config={
            "district": st.column_config.TextColumn(tr("allocation.col.area")),
            "hours_per_week": st.column_config.NumberColumn(
                tr("allocation.col.current_hours"), min_value=0.0, step=1.0
            ),
        },
    )
    if not edited.equals(base):
        store[data_key] = edited
    if edited["hours_per_week"].isna().all():
        return None
    return widgets.attempt(allocation.check_current, edited, areas)


def _hours(frame: pd.DataFrame) -> pd.Series:
    if "hours_per_week" in frame.columns:
        return pd.to_numeric(frame["hours_per_week"], errors="coerce").astype(float)
    return pd.Series(float("nan"), index=frame.index)


def priority_scores() -> dict[str, float] | None:
    """Priority score per offence type from the session's current ranking.

    That is the Priorities page's ranking of the data in view when the user scored
    them, else the default assessment's; None when problems are not plain offence types.
    """
    return allocation.priority_scores(ui_priorities.current_ranking(state.view()).table)


def measures() -> list[str]:
    """The demand measures on offer: priority-weighted harm once priorities are scored."""
    return ["incidents", "harm"] + (["priority"] if priority_scores() else [])


def run(view: state.View, scenario: allocation.Scenario) -> allocation.ScenarioResult:
    """The scenario's recommendation, computed as the report computes it (cached).

    Harm weights come from the session's priority assessment (the bundled table
    without one) and priority scores from its ranking: the same inputs the report
    reads from the saved work.
    """
    assessment = ui_priorities.current_assessment(view)
    result = cache.compute(
        allocation.run_scenario,
        view.key,
        view.incidents,
        view.dataset.districts,
        scenario=scenario.to_dict(),
        harm_weights=dict(assessment.harm_weights) if assessment is not None else None,
        priority_scores=priority_scores() if scenario.measure == "priority" else None,
        classes=None
        if view.dataset.offence_classes is None
        else dict(view.dataset.offence_classes),
    )
    harm_notes(result)
    return result


def harm_notes(result: allocation.ScenarioResult) -> None:
    """Say which offences weigh the placeholder and which broad classes carry a caveat."""
    if result.unweighted:  # the placeholder is never used silently
        names = ", ".join(state.term(o) for o in result.unweighted)
        days = i18n.number(result.default_days, lang(), 1)
        widgets.say(
            st.warning, "classify.harm_unknown", offences=names, days=days, icon=":material/flag:"
        )
    for offence, caveats in result.caveats.items():  # broad classes: say so where used
        st.caption(widgets.plain(f"{state.term(offence)}: {harm.caveat_in(caveats, lang())}"))


def shown_table(result: Allocation) -> pd.DataFrame:
    """The result table with the user's language in headers, area names and limits."""
    code = lang()
    columns = [
        c
        for c in SHOWN_COLUMNS
        if c not in ("current_hours", "change_hours") or result.table[c].notna().any()
    ]
    table = result.table[columns].copy()
    table["area"] = figures.allocation.area_labels(table["area"], code)
    table["limited_by"] = [
        tr(f"allocation.limit.{v}") if isinstance(v, str) else "" for v in table["limited_by"]
    ]
    return table.rename(columns={c: tr(SHOWN_COLUMNS[c]) for c in columns})


def number_specs() -> dict[str, str]:
    """Number formats of the shown table (hours without decimals, shares as %), by label."""
    return {
        tr("allocation.col.current_hours"): "0",
        tr("allocation.col.recommended_hours"): "0",
        tr("allocation.col.change_hours"): "+0",
        tr("allocation.col.demand_share"): "%1",
        tr("allocation.col.incidents"): "0",
        tr("allocation.col.hours_per_incident"): "3",
    }


def settings_json(settings: dict[str, Any]) -> bytes:
    """The scenario settings as a JSON download."""
    return json.dumps(settings, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def scenarios() -> dict[str, tuple[Allocation, dict[str, Any]]]:
    """The scenarios saved in this session (name -> result and settings)."""
    return st.session_state.setdefault(SCENARIOS, {})


def metrics_table(saved: dict[str, tuple[Allocation, dict[str, Any]]]) -> pd.DataFrame:
    """Settings and headline figures of saved scenarios, labelled and formatted for the user."""
    code = lang()
    table = allocation.scenario_metrics({name: res for name, (res, _) in saved.items()})

    def shown(row: str, value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return "—"
        if row == "method":
            return tr(f"allocation.method.{value}")
        if isinstance(value, str):
            return value
        if row in ("max_change_share", "prevented_share_current", "prevented_share_recommended"):
            return i18n.percent(float(value), code, 1)
        return i18n.number(float(value), code, 0 if float(value).is_integer() else 1)

    out = pd.DataFrame(
        {name: [shown(row, v) for row, v in table[name].items()] for name in table.columns},
        index=[tr(f"allocation.metric.{k}") for k in table.index],
    )
    return out


def constraint_inputs(kind: str, current: pd.Series | None, n_areas: int) -> dict[str, Any]:
    """Total, granularity, floor, ceiling, maximum change and saturation (allocate's settings).

    Without today's hours the total starts at ``DEFAULT_HOURS_PER_AREA`` for each of
    the ``n_areas`` areas (districts, or hot-spot cells).

    Every starting value is the library's (``allocation.DEFAULT_*``, ``STEP_CHOICES``,
    ``MAX_CHANGE_SHARE``): the page never repeats a default.
    """
    shift = allocation.DEFAULT_STEP_HOURS  # the +/- buttons move the hours by one shift
    default_total = (
        float(current.sum()) if current is not None else allocation.DEFAULT_HOURS_PER_AREA * n_areas
    )
    state.default(f"p.allocation.{kind}.total", default_total)
    total = st.number_input(
        tr("allocation.total"),
        1.0,
        1e7,
        step=shift,
        format="%.0f",
        key=f"p.allocation.{kind}.total",
        help=tr("allocation.total_help"),
    )
    state.default(f"p.allocation.{kind}.step", allocation.DEFAULT_STEP_HOURS)
    step = st.selectbox(
        tr("allocation.step"),
        allocation.STEP_CHOICES,
        key=f"p.allocation.{kind}.step",
        format_func=_step_label(lang()),
    )
    cols = st.columns(2)
    state.default(
        f"p.allocation.{kind}.floor",
        allocation.DEFAULT_FLOOR_HOURS
        if kind == "districts"
        else allocation.DEFAULT_CELL_FLOOR_HOURS,
    )
    floor = cols[0].number_input(
        tr("allocation.floor"),
        0.0,
        1e6,
        step=shift,
        format="%.0f",
        key=f"p.allocation.{kind}.floor",
        help=tr("allocation.floor_help"),
    )
    ceiling = cols[1].number_input(
        tr("allocation.ceiling"),
        0.0,
        1e7,
        None,
        shift,
        "%.0f",
        key=f"p.allocation.{kind}.ceiling",
        placeholder=tr("allocation.none"),
        help=tr("allocation.ceiling_help"),
    )
    change = cols[0].number_input(
        tr("allocation.max_change"),
        0.0,
        100.0 * allocation.MAX_CHANGE_SHARE,  # a percentage of today's hours
        None,
        5.0,
        "%.0f",
        key=f"p.allocation.{kind}.change",
        placeholder=tr("allocation.none"),
        help=tr("allocation.max_change_help"),
        disabled=current is None,
    )
    saturation = cols[1].number_input(
        tr("allocation.saturation"),
        1.0,
        1e6,
        None,
        shift,
        "%.0f",
        key=f"p.allocation.{kind}.saturation",
        placeholder=tr("allocation.auto"),
        help=tr("allocation.saturation_help"),
    )
    return {
        "total_hours": total,
        "step": step,
        "floor": floor,
        "ceiling": ceiling,
        "max_change_share": None if change is None or current is None else change / 100.0,
        "saturation": saturation,
    }


def show_summary(result: Allocation, measure: str | None = None) -> None:
    """Headline figures: what the hours prevent (absolute), what 100 more would add, moves.

    The share of demand covered barely moves when hours are added (4,000 → 6,000 h left
    it at 68.6 %): the absolute figure, its change and the gain of the next 100 hours
    answer "what do more hours buy?", and the caption says what the share is of.
    """
    code, summary = lang(), result.summary
    prevented, before = summary["prevented_recommended"], summary["prevented_current"]
    demand = float(result.table["demand"].sum())
    gain = allocation.marginal_gain(result, allocation.MARGINAL_HOURS)
    moved = summary["hours_moved"]
    top, bottom = st.columns(2), st.columns(2)
    top[0].metric(
        tr("allocation.prevented"),
        i18n.number(prevented, code, 1),
        delta=None if before != before else i18n.number(prevented - before, code, 1),
        help=tr("allocation.prevented_help"),
    )
    top[1].metric(
        tr("allocation.marginal", hours=i18n.number(allocation.MARGINAL_HOURS, code)),
        "+" + i18n.number(gain, code, 1),
        help=tr("allocation.marginal_help", hours=i18n.number(allocation.MARGINAL_HOURS, code)),
    )
    bottom[0].metric(
        tr("allocation.hours_moved"),
        "—" if moved != moved else i18n.number(moved, code),
        help=tr("allocation.hours_moved_help"),
    )
    bottom[1].metric(tr("allocation.total_used"), i18n.number(summary["total_hours"], code))
    st.caption(
        tr(
            "allocation.prevented_caption",
            prevented=i18n.number(prevented, code, 1),
            demand=i18n.number(demand, code, 1),
            measure=tr(f"allocation.measure.{measure}") if measure else "—",
            share=i18n.percent(summary["prevented_share_recommended"], code, 1),
            hours=i18n.number(allocation.MARGINAL_HOURS, code),
            gain=i18n.number(gain, code, 1),
            gain_share=i18n.percent(gain / demand if demand else 0.0, code, 1),
        )
    )
    for message in result.warnings:
        widgets.say(st.warning, message, icon=":material/info:")


def coverage_caption(curve: allocation.CoverageCurve) -> str:
    """The coverage curve in one sentence, with its marked figures."""
    code = lang()
    now = curve.current_at_half
    return tr(
        "allocation.coverage_caption",
        area=i18n.percent(curve.half_area_share, code),
        current="—" if now != now else i18n.percent(now, code),
        recommended=i18n.percent(curve.recommended_at_half, code),
    )


def patrol_section(view: Any, weights: dict[str, float] | None) -> None:
    """The hot-spot patrol plan (Koper curve): settings, figures, map, timetable.

    The settings start from ``allocation.PATROL_DEFAULTS`` within
    ``allocation.PATROL_RANGES``, the values ``patrol_plan`` itself uses and accepts.
    """
    code = lang()
    default, ranges = allocation.PATROL_DEFAULTS, allocation.PATROL_RANGES
    state.default("p.allocation.patrol.spots", allocation.DEFAULT_PATROL_SPOTS)
    state.default("p.allocation.patrol.dwell", float(default.dwell_minutes))
    state.default("p.allocation.patrol.visits", int(default.visits_per_shift))
    state.default("p.allocation.patrol.shifts", int(default.shifts_per_week))
    state.default("p.allocation.patrol.shift", float(default.shift_hours))
    state.default("p.allocation.patrol.travel", default.travel)
    state.default("p.allocation.patrol.speed", float(default.speed_kmh))
    state.default("p.allocation.patrol.overhead", _percent(default.overhead_share))
    cols = st.columns(4)
    n_spots = cols[0].number_input(
        tr("allocation.patrol.spots"), 1, 200, step=1, key="p.allocation.patrol.spots"
    )
    dwell = cols[1].number_input(
        tr("allocation.patrol.dwell"),
        *_floats(ranges["dwell_minutes"]),
        step=1.0,
        format="%.0f",
        key="p.allocation.patrol.dwell",
        help=tr("allocation.patrol.dwell_help"),
    )
    visits = cols[2].number_input(
        tr("allocation.patrol.visits"),
        *_ints(ranges["visits_per_shift"]),
        step=1,
        key="p.allocation.patrol.visits",
    )
    shifts = cols[3].number_input(
        tr("allocation.patrol.shifts"),
        *_ints(ranges["shifts_per_week"]),
        step=1,
        key="p.allocation.patrol.shifts",
        help=tr("allocation.patrol.shifts_help"),
    )
    cols = st.columns(4)
    shift_hours = cols[0].number_input(
        tr("allocation.patrol.shift_hours"),
        *_floats(ranges["shift_hours"]),
        step=1.0,
        format="%.0f",
        key="p.allocation.patrol.shift",
    )
    travel = cols[1].radio(
        tr("allocation.patrol.travel"),
        allocation.TRAVEL_MODELS,
        key="p.allocation.patrol.travel",
        format_func=state.label("allocation.patrol.travel."),
    )
    speed = cols[2].number_input(
        tr("allocation.patrol.speed"),
        *_floats(ranges["speed_kmh"]),
        step=1.0,
        format="%.0f",
        key="p.allocation.patrol.speed",
        disabled=travel != "tour",
    )
    overhead = cols[3].number_input(  # in percent of patrol time
        tr("allocation.patrol.overhead"),
        *_percents(ranges["overhead_share"]),
        step=5,
        key="p.allocation.patrol.overhead",
        disabled=travel != "share",
    )
    cells = widgets.attempt(
        cache.compute,
        allocation.cell_demand,
        view.key,
        view.incidents,
        view.dataset.districts,
        top_n=int(n_spots),
        weights=weights,
    )
    if cells is None:
        return
    plan = widgets.attempt(
        allocation.patrol_plan,
        cells,
        dwell_minutes=float(dwell),
        visits_per_shift=int(visits),
        shift_hours=float(shift_hours),
        shifts_per_week=int(shifts),
        travel=travel,
        speed_kmh=float(speed),
        overhead_share=overhead / 100.0,
    )
    if plan is None:
        return
    metrics = st.columns(4)
    metrics[0].metric(tr("allocation.patrol.hours"), i18n.number(plan.officer_hours_per_week, code))
    metrics[1].metric(tr("allocation.patrol.units"), i18n.number(plan.units_needed, code))
    metrics[2].metric(tr("allocation.patrol.travel_share"), i18n.percent(plan.travel_share, code))
    metrics[3].metric(tr("allocation.patrol.gap"), i18n.number(plan.minutes_between_visits, code))
    for message in plan.warnings:
        widgets.say(st.info, message, icon=":material/info:")
    widgets.show_map(
        figures.allocation.patrol_map(cells, plan, lang=code, tiles=widgets.tiles()),
        height=420,
    )
    st.caption(
        tr(
            "allocation.patrol_caption",
            spots=len(plan.table),
            dwell=i18n.number(dwell, code),
            km=i18n.number(plan.tour_km, code, 1) if plan.tour_km == plan.tour_km else "—",
            hours=i18n.number(plan.officer_hours_per_week, code),
        )
    )
    timetable = allocation.visit_timetable(plan, random_state=0)
    shown = pd.DataFrame(
        {
            tr("allocation.patrol.col.unit"): timetable["unit"],
            tr("allocation.patrol.col.round"): timetable["round"],
            tr("allocation.col.area"): figures.allocation.area_labels(timetable["area"], code),
            tr("allocation.patrol.col.arrive"): [_clock(v) for v in timetable["arrive_minute"]],
            tr("allocation.patrol.col.leave"): [_clock(v) for v in timetable["leave_minute"]],
        }
    )
    st.markdown(f"**{tr('allocation.patrol.timetable')}**")
    st.dataframe(shown, hide_index=True, width="stretch", height=260)
    st.caption(tr("allocation.patrol.timetable_caption"))
    widgets.download_table(shown, "patrol-timetable", key="allocation.patrol.dl")


def _step_label(code: str) -> Any:
    """A ``format_func`` for the granularity, in the language of this run."""
    return lambda s: (
        i18n.t("allocation.step.none", code)
        if s is None
        else i18n.t("allocation.step.hours", code, hours=int(s))
    )


def _floats(bounds: tuple[float, float]) -> tuple[float, float]:
    """A library range as the bounds of a float widget."""
    return float(bounds[0]), float(bounds[1])


def _ints(bounds: tuple[float, float]) -> tuple[int, int]:
    """A library range of whole numbers as the bounds of an int widget."""
    return int(bounds[0]), int(bounds[1])


def _percent(share: float) -> int:
    """A share (0.25) as the whole percentage an int widget shows (25)."""
    return int(round(100 * share))


def _percents(bounds: tuple[float, float]) -> tuple[int, int]:
    """A library range of shares as the bounds of a percentage widget."""
    return _percent(bounds[0]), _percent(bounds[1])


def _clock(minutes: float) -> str:
    """Minutes from the start of the shift as ``+h:mm``."""
    whole = int(round(minutes))
    return f"+{whole // 60}:{whole % 60:02d}"
