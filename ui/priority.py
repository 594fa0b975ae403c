"""Widgets of the Priorities page: the user's weights, harm table and entered values.

Every value the user sets lives under a ``p.priority.`` key (kept by app.py across
pages and languages) and is read back into the plain structures ``ilp_core.priority``
takes; a saved assessment is applied by writing those keys before the widgets
are drawn. Keys are built from stable names (criterion keys, offence names as in
the data, a hash of the problem id), never from translated text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from ilp_core import harm, i18n, priority
from ilp_core.errors import IlpInputError, Message
from ui.state import lang, term, tr

T = TypeVar("T")
P = "p.priority."
NOT_ASSESSED = "not_assessed"
LAST = "priority.last"  # the last good result (the page's own state)
CUSTOM = P + "custom"
PARAMS = P + "params"  # loaded scheme parameters that have no widget (bands, ranges, axes)
STABILITY = P + "stability"  # draws and seed of a loaded assessment


def attempt(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
    """Like ``ui.widgets.attempt``, with criterion and group names in the user's language."""
    try:
        return func(*args, **kwargs)
    except IlpInputError as error:
        st.error(priority.message_text(error.message, lang()), icon=":material/error:")
        return None


def show_unavailable(unavailable: Mapping[str, Message]) -> None:
    """Say which data criteria cannot be computed from the data in view, and why."""
    for criterion, reason in unavailable.items():
        text = tr(
            "priority.unavailable",
            criterion=priority.criterion_label(criterion, lang()),
            reason=reason.render(lang()),
        )
        st.info(text, icon=":material/info:")


def remember(data_key: str, by: str, custom: list[dict[str, Any]], result: T) -> T:
    """Keep the last good result of these data and problems (shown while an input is wrong)."""
    st.session_state[LAST] = ((data_key, by, repr(custom)), result)
    return result


def last_result(data_key: str, by: str, custom: list[dict[str, Any]]) -> Any:
    """The last good result for the same data and problems, or None."""
    saved = st.session_state.get(LAST)
    if saved is None or saved[0] != (data_key, by, repr(custom)):
        return None
    return saved[1]


def show_messages(messages: Sequence[Message]) -> None:
    """Show the library's warnings, translated."""
    for message in messages:
        st.warning(priority.message_text(message, lang()), icon=":material/warning:")


def problem_key(problem: str) -> str:
    """A short stable key for a problem id (ids may hold any character)."""
    return hashlib.sha1(str(problem).encode("utf-8")).hexdigest()[:10]


def _default(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


# -- problems and method ---------------------------------------------------------------


def problems_and_method() -> tuple[str, str]:
    """The problem level and the preset (method) chosen."""
    left, right = st.columns(2)
    _default(P + "by", "offence")
    by = left.radio(
        tr("priority.problems"),
        options=list(priority.PROBLEM_LEVELS),
        format_func=lambda v: tr(f"priority.level.{v}"),
        key=P + "by",
        horizontal=True,
    )
    names = list(priority.presets())
    _default(P + "preset", names[0])
    chosen = right.selectbox(
        tr("priority.method"),
        options=names,
        format_func=lambda n: priority.preset_label(n, lang()),
        key=P + "preset",
    )
    return str(by), str(chosen)


def custom_problems(offences: Sequence[str], districts: Sequence[str]) -> list[dict[str, Any]]:
    """Problems the analyst adds by hand (a drug market, an organised-crime group)."""
    _default(CUSTOM, [])
    with st.expander(tr("priority.custom_title")):
        st.caption(tr("priority.custom_help"))
        name = st.text_input(tr("priority.custom_name"), key="priority.new_name")
        cols = st.columns(2)
        chosen_off = cols[0].multiselect(
            tr("priority.custom_offences"), offences, format_func=term, key="priority.new_off"
        )
        chosen_dist = cols[1].multiselect(
            tr("priority.custom_districts"), districts, format_func=term, key="priority.new_dist"
        )
        if st.button(tr("priority.custom_add"), key="priority.add", disabled=not name.strip()):
            st.session_state[CUSTOM] = [
                *st.session_state[CUSTOM],
                {
                    "name": name.strip(),
                    "offences": list(chosen_off),
                    "districts": list(chosen_dist),
                },
            ]
        for spec in list(st.session_state[CUSTOM]):
            left, right = st.columns([4, 1])
            left.markdown(f"**{spec['name']}**: {_custom_text(spec)}")
            if right.button(
                tr("priority.custom_remove"), key=f"priority.rm.{problem_key(spec['name'])}"
            ):
                st.session_state[CUSTOM] = [s for s in st.session_state[CUSTOM] if s != spec]
                st.rerun()
    return list(st.session_state[CUSTOM])


def _custom_text(spec: dict[str, Any]) -> str:
    offences = ", ".join(term(o) for o in spec.get("offences") or ()) or tr("priority.all")
    districts = ", ".join(term(d) for d in spec.get("districts") or ()) or tr("priority.all")
    if not spec.get("offences") and not spec.get("districts"):
        return tr("priority.custom_by_hand")
    return tr("priority.custom_selects", offences=offences, districts=districts)


# -- harm weights ----------------------------------------------------------------------


def harm_inputs(offences: Sequence[str]) -> tuple[dict[str, float], float, bool]:
    """Harm weight per offence of the data (defaults from the table), and the unknown default."""
    table = harm.harm_table()
    defaults, has = harm.weight_for(list(offences), table.weights(), table.unknown_offence_days)
    sources = {i18n.slug(r.offence): r for r in table.table.itertuples()}
    _default(P + "harm_default", float(table.unknown_offence_days))
    weights: dict[str, float] = {}
    with st.expander(tr("priority.harm_title")):
        st.caption(tr("priority.harm_help"))
        cols = st.columns(4)
        for i, offence in enumerate(offences):
            key = f"{P}harm.{offence}"
            _default(
                key, float(defaults[i]) if has[i] else float(st.session_state[P + "harm_default"])
            )
            src = sources.get(i18n.slug(offence))
            note = (
                f"{src.guideline}; {src.category}: {src.starting_point}"
                if src is not None
                else tr("priority.no_harm_weight")
            )
            weights[offence] = cols[i % 4].number_input(
                term(offence), min_value=0.0, max_value=100_000.0, step=0.5, key=key, help=note
            )
        default = st.number_input(
            tr("priority.harm_default"),
            min_value=0.0,
            max_value=100_000.0,
            step=0.5,
            key=P + "harm_default",
        )
    unknown = [o for o, h in zip(offences, has, strict=True) if not h]
    confirmed = True
    if unknown:
        names = ", ".join(term(o) for o in unknown)
        st.warning(
            tr("priority.harm_unknown", offences=names, days=default), icon=":material/flag:"
        )
        _default(P + "harm_confirm", False)
        confirmed = st.checkbox(tr("priority.harm_confirm"), key=P + "harm_confirm")
    return weights, float(default), bool(confirmed)


# -- weights ---------------------------------------------------------------------------


def weight_inputs(preset_name: str) -> priority.Scheme | None:
    """Weights of the chosen preset's criteria, three columns (harm, likelihood, position)."""
    cfg = priority.settings()
    base = priority.preset(preset_name)
    keys = _method_criteria(base.method, cfg)
    weights = {}
    with st.expander(tr("priority.weights_title")):
        st.caption(tr(f"priority.weights_help.{base.method}"))
        cols = st.columns(3)
        for col, group in zip(cols, priority.GROUPS, strict=True):
            in_group = [k for k in keys if cfg.criteria[k].group == group]
            if in_group:
                col.markdown(f"**{tr(f'priority.group.{group}')}**")
            for k in in_group:
                key = f"{P}w.{preset_name}.{k}"
                _default(key, float(base.weights.get(k, 0.0)))
                weights[k] = col.number_input(
                    priority.criterion_label(k, lang()),
                    min_value=0.0,
                    max_value=1000.0,
                    step=0.5,
                    key=key,
                    help=tr(f"priority.criterion_help.{k}"),
                )
    params = st.session_state.get(PARAMS) or {}
    loaded = params if params.get("preset") == preset_name else {}
    return attempt(
        priority.make_scheme,
        base.method,
        weights,
        tiers=loaded.get("tiers", base.tiers),
        bands=tuple(loaded.get("bands", base.bands)),
        position_range=tuple(loaded.get("position_range", base.position_range)),
        axes=loaded.get("axes", base.axes),
        preset=preset_name,
    )


def _method_criteria(method: str, cfg: priority.Settings) -> list[str]:
    if method == "harm_weighted":
        return ["harm", "harm_change"]
    groups = ("harm", "likelihood") if method == "risk_matrix" else priority.GROUPS
    return [k for k, c in cfg.criteria.items() if c.group in groups]


# -- entered values --------------------------------------------------------------------


def entered_inputs(problems: pd.DataFrame, scheme: priority.Scheme) -> pd.DataFrame:
    """Entered values of every problem (only those assessed); edits one problem at a time."""
    cfg = priority.settings()
    keys = [k for k in cfg.entered if scheme.weights.get(k, 0.0) > 0]
    if scheme.method == "harm_weighted" or not keys:
        return pd.DataFrame(columns=list(priority.ENTERED_COLUMNS))
    ids = problems["problem"].tolist()
    labels = dict(zip(ids, priority.problem_labels(problems, lang()), strict=True))
    levels = [NOT_ASSESSED, *cfg.half_width]
    with st.expander(tr("priority.entered_title")):
        st.caption(tr("priority.entered_help"))
        if st.session_state.get(P + "edit") not in ids:
            st.session_state[P + "edit"] = ids[0]
        edit = st.selectbox(
            tr("priority.entered_problem"), ids, format_func=labels.get, key=P + "edit"
        )
        for k in keys:
            c = cfg.criteria[k]
            vkey, ckey = _value_keys(edit, k)
            _default(vkey, float(c.default))
            _default(ckey, NOT_ASSESSED)
            left, right = st.columns([3, 1])
            left.slider(
                priority.criterion_label(k, lang()),
                min_value=float(c.low),
                max_value=float(c.high),
                step=1.0,
                key=vkey,
                help=tr(f"priority.criterion_help.{k}"),
                on_change=_mark_assessed,
                args=(ckey,),
            )
            right.selectbox(
                tr("priority.confidence"),
                levels,
                key=ckey,
                format_func=lambda v: tr(f"priority.confidence.{v}"),
            )
    rows = []
    for p in ids:
        for k in keys:
            vkey, ckey = _value_keys(p, k)
            conf = st.session_state.get(ckey, NOT_ASSESSED)
            if conf != NOT_ASSESSED and vkey in st.session_state:
                rows.append((p, k, st.session_state[vkey], conf))
    return pd.DataFrame(rows, columns=list(priority.ENTERED_COLUMNS))


def _value_keys(problem: str, criterion: str) -> tuple[str, str]:
    h = problem_key(problem)
    return f"{P}v.{h}.{criterion}", f"{P}c.{h}.{criterion}"


def _mark_assessed(conf_key: str) -> None:
    if st.session_state.get(conf_key, NOT_ASSESSED) == NOT_ASSESSED:
        st.session_state[conf_key] = priority.settings().default_confidence


# -- saving and loading the assessment -------------------------------------------------


def load_saved(fingerprint: str) -> None:
    """Read a saved assessment and, when the user agrees, put its settings in the widgets.

    Call before any other widget of the page: the settings are written to the
    widgets' keys and the page reruns.
    """
    with st.expander(tr("priority.load_title")):
        upload = st.file_uploader(
            tr("priority.load_file"), type=["json", "yaml", "yml"], key="priority.config_file"
        )
        if upload is None:
            return
        loaded = attempt(priority.load_assessment, upload.getvalue(), fingerprint=fingerprint)
        if loaded is None:
            return
        show_messages(loaded.warnings)
        label = "priority.load_apply" if loaded.same_data else "priority.load_anyway"
        if st.button(tr(label), key="priority.apply", type="primary"):
            _apply(loaded.assessment)
            st.session_state.pop(LAST, None)
            st.rerun()


def _apply(a: priority.Assessment) -> None:
    names = priority.presets()
    name = (
        a.scheme.preset
        if a.scheme.preset in names
        else next((n for n in names if priority.preset(n).method == a.scheme.method), names[0])
    )
    state = st.session_state
    state[P + "by"] = a.by
    state[P + "preset"] = name
    state[CUSTOM] = [dict(c) for c in a.custom]
    for key in priority.settings().criteria:
        state[f"{P}w.{name}.{key}"] = float(a.scheme.weights.get(key, 0.0))
    state[PARAMS] = {**a.scheme.to_dict(), "preset": name}
    for offence, days in a.harm_weights.items():
        state[f"{P}harm.{offence}"] = float(days)
    state[P + "harm_default"] = float(a.default_harm_days)
    state[P + "harm_confirm"] = bool(a.harm_default_confirmed)
    for problem, criterion, value, confidence in a.entered:
        vkey, ckey = _value_keys(problem, criterion)
        state[vkey], state[ckey] = float(value), confidence
    state[P + "top_k"] = int(a.top_k)
    state[STABILITY] = {"draws": int(a.draws), "seed": int(a.seed)}


def stability_settings() -> dict[str, int]:
    """Draws and seed: the settings file's, or those of a loaded assessment."""
    cfg = priority.settings()
    return {"draws": cfg.draws, "seed": cfg.seed, **(st.session_state.get(STABILITY) or {})}


# -- results ---------------------------------------------------------------------------


def top_k_input(n_problems: int) -> int:
    """Size of the top group of the stability analysis (kept within the number of problems)."""
    key, top = P + "top_k", max(1, n_problems)
    current = st.session_state.get(key, priority.settings().top_k)
    st.session_state[key] = int(min(max(1, int(current)), top))
    return int(st.number_input(tr("priority.top_k"), min_value=1, max_value=top, step=1, key=key))


def explain_table(ranking: priority.Ranking, problem: str) -> pd.DataFrame:
    """The decomposition of one problem's score, with headers and names for people."""
    why = priority.explain(ranking, problem)
    names = [
        tr(f"priority.col.contrib_{c}")
        if c in ("base", "rounding")
        else priority.criterion_label(c, lang())
        for c in why["criterion"]
    ]
    return (
        why.assign(criterion=names)
        .drop(columns="group")
        .rename(columns=lambda c: tr(f"priority.why_col.{c}"))
    )


def save_buttons(assessment: priority.Assessment) -> None:
    """Download buttons for the whole configuration, JSON and YAML."""
    left, right = st.columns(2)
    left.download_button(
        tr("priority.save_json"),
        assessment.to_json(),
        "priority-assessment.json",
        mime="application/json",
        key="priority.save_json",
        icon=":material/save:",
    )
    right.download_button(
        tr("priority.save_yaml"),
        assessment.to_yaml(),
        "priority-assessment.yaml",
        mime="application/x-yaml",
        key="priority.save_yaml",
        icon=":material/save:",
    )
