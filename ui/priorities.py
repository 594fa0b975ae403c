"""Streamlit glue of the Priorities page, and the session's current ranking.

The page's widgets hold the user's weights, harm table and entered values; the
product pages read the session's current ranking (:func:`current_ranking`).

Every value the user sets lives under a ``p.priority.`` key (kept by app.py across
pages and languages) and is read back into the plain structures ``ilp_core.decide.priorities``
takes; a saved assessment is applied by writing those keys before the widgets
are drawn. Keys are built from stable names (criterion keys, offence names as in
the data, a hash of the problem id), never from translated text.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from ilp_core.decide import harm, priorities
from ilp_core.errors import Message
from ui import cache
from ui.state import View, dataset, default, label, lang, term, tr
from ui.widgets import as_markdown, attempt, plain, say

T = TypeVar("T")
P = "p.priority."
NOT_ASSESSED = "not_assessed"
LAST = "priorities.last"  # the last good result (the page's own state)
CUSTOM = P + "custom"
PARAMS = P + "params"  # loaded scheme parameters that have no widget (bands, ranges, axes)
STABILITY = P + "stability"  # draws and seed of a loaded assessment


def show_unavailable(unavailable: Mapping[str, Message]) -> None:
    """Say which data criteria cannot be computed from the data in view, and why."""
    for criterion, reason in unavailable.items():
        text = tr(
            "priorities.unavailable",
            criterion=priorities.criterion_label(criterion, lang()),
            reason=as_markdown(reason),
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
        say(st.warning, message, icon=":material/warning:")


def problem_key(problem: str) -> str:
    """A short stable key for a problem id (ids may hold any character)."""
    return hashlib.sha1(str(problem).encode("utf-8")).hexdigest()[:10]


# -- problems and method ---------------------------------------------------------------


def problems_and_method() -> tuple[str, str]:
    """The problem level and the preset (method) chosen."""
    left, right = st.columns([1, 2])  # the method's name is long (MoRiLE's, in French)
    default(P + "by", "offence")
    by = left.radio(
        tr("priorities.problems"),
        options=list(priorities.PROBLEM_LEVELS),
        format_func=label("priorities.level."),
        key=P + "by",
        horizontal=True,
    )
    names = list(priorities.presets())
    default(P + "preset", names[0])
    chosen = right.selectbox(
        tr("priorities.method"),
        options=names,
        format_func=functools.partial(priorities.preset_label, lang=lang()),
        key=P + "preset",
    )
    return str(by), str(chosen)


def custom_problems(offences: Sequence[str], districts: Sequence[str]) -> list[dict[str, Any]]:
    """Problems the analyst adds by hand (a drug market, an organised-crime group)."""
    default(CUSTOM, [])
    with st.expander(tr("priorities.custom_title")):
        st.caption(tr("priorities.custom_help"))
        name = st.text_input(tr("priorities.custom_name"), key="priorities.new_name")
        cols = st.columns(2)
        chosen_off = cols[0].multiselect(
            tr("priorities.custom_offences"), offences, format_func=term, key="priorities.new_off"
        )
        chosen_dist = cols[1].multiselect(
            tr("priorities.custom_districts"),
            districts,
            format_func=term,
            key="priorities.new_dist",
        )
        if st.button(tr("priorities.custom_add"), key="priorities.add", disabled=not name.strip()):
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
            left.markdown(f"**{plain(spec['name'])}**: {_custom_text(spec)}")
            if right.button(
                tr("priorities.custom_remove"), key=f"priorities.rm.{problem_key(spec['name'])}"
            ):
                st.session_state[CUSTOM] = [s for s in st.session_state[CUSTOM] if s != spec]
                st.rerun()
    return list(st.session_state[CUSTOM])


def _custom_text(spec: dict[str, Any]) -> str:
    offences = plain(", ".join(term(o) for o in spec.get("offences") or ())) or tr("priorities.all")
    districts = plain(", ".join(term(d) for d in spec.get("districts") or ())) or tr(
        "priorities.all"
    )
    if not spec.get("offences") and not spec.get("districts"):
        return tr("priorities.custom_by_hand")
    return tr("priorities.custom_selects", offences=offences, districts=districts)


# -- harm weights ----------------------------------------------------------------------


def harm_inputs(offences: Sequence[str]) -> tuple[dict[str, float], float, bool]:
    """Harm weight per offence of the data (defaults by its ICCS class), and the unknown default."""
    table = harm.harm_table()
    found = harm.default_weights(list(offences), dataset().offence_classes, lang=lang()).table
    defaults, has = found["days"].to_numpy(), found["has_weight"].to_numpy()
    default(P + "harm_default", float(table.unknown_offence_days))
    weights: dict[str, float] = {}
    with st.expander(tr("priorities.harm_title")):
        st.caption(tr("priorities.harm_help"))
        cols = st.columns(4)
        for i, offence in enumerate(offences):
            key = f"{P}harm.{offence}"
            default(
                key, float(defaults[i]) if has[i] else float(st.session_state[P + "harm_default"])
            )
            src = found.iloc[i]
            note = f"{src['source']} {src['caveat']}".strip() if has[i] else None
            note = note or tr("priorities.no_harm_weight")
            weights[offence] = cols[i % 4].number_input(
                plain(term(offence)),
                min_value=0.0,
                max_value=100_000.0,
                step=0.5,
                key=key,
                help=note,
            )
        unknown_days = st.number_input(
            tr("priorities.harm_default"),
            min_value=0.0,
            max_value=100_000.0,
            step=0.5,
            key=P + "harm_default",
        )
    for row in found[found["caveat"] != ""].itertuples():  # broad classes: say so where used
        st.caption(plain(f"{term(row.offence)}: {row.caveat}"))
    unknown = [o for o, h in zip(offences, has, strict=True) if not h]
    confirmed = True
    if unknown:
        names = ", ".join(term(o) for o in unknown)
        say(
            st.warning,
            "priorities.harm_unknown",
            offences=names,
            days=unknown_days,
            icon=":material/flag:",
        )
        default(P + "harm_confirm", False)
        confirmed = st.checkbox(tr("priorities.harm_confirm"), key=P + "harm_confirm")
    return weights, float(unknown_days), bool(confirmed)


# -- weights ---------------------------------------------------------------------------


def weight_inputs(preset_name: str) -> priorities.Scheme | None:
    """Weights of the chosen preset's criteria, three columns (harm, likelihood, position)."""
    cfg = priorities.settings()
    base = priorities.preset(preset_name)
    keys = _method_criteria(base.method, cfg)
    weights = {}
    with st.expander(tr("priorities.weights_title")):
        st.caption(tr(f"priorities.weights_help.{base.method}"))
        cols = st.columns(3)
        for col, group in zip(cols, priorities.GROUPS, strict=True):
            in_group = [k for k in keys if cfg.criteria[k].group == group]
            if in_group:
                col.markdown(f"**{tr(f'priorities.group.{group}')}**")
            for k in in_group:
                key = f"{P}w.{preset_name}.{k}"
                default(key, float(base.weights.get(k, 0.0)))
                weights[k] = col.number_input(
                    priorities.criterion_label(k, lang()),
                    min_value=0.0,
                    max_value=1000.0,
                    step=0.5,
                    key=key,
                    help=tr(f"priorities.criterion_help.{k}"),
                )
    params = st.session_state.get(PARAMS) or {}
    loaded = params if params.get("preset") == preset_name else {}
    return attempt(
        priorities.make_scheme,
        base.method,
        weights,
        tiers=loaded.get("tiers", base.tiers),
        bands=tuple(loaded.get("bands", base.bands)),
        position_range=tuple(loaded.get("position_range", base.position_range)),
        axes=loaded.get("axes", base.axes),
        preset=preset_name,
    )


def _method_criteria(method: str, cfg: priorities.Settings) -> list[str]:
    if method == "harm_weighted":
        return ["harm", "harm_change"]
    groups = ("harm", "likelihood") if method == "risk_matrix" else priorities.GROUPS
    return [k for k, c in cfg.criteria.items() if c.group in groups]


# -- entered values --------------------------------------------------------------------


def entered_inputs(problems: pd.DataFrame, scheme: priorities.Scheme) -> pd.DataFrame:
    """Entered values of every problem (only those assessed); edits one problem at a time."""
    cfg = priorities.settings()
    keys = [k for k in cfg.entered if scheme.weights.get(k, 0.0) > 0]
    if scheme.method == "harm_weighted" or not keys:
        return pd.DataFrame(columns=list(priorities.ENTERED_COLUMNS))
    ids = problems["problem"].tolist()
    labels = dict(zip(ids, priorities.problem_labels(problems, lang()), strict=True))
    levels = [NOT_ASSESSED, *cfg.half_width]
    with st.expander(tr("priorities.entered_title")):
        st.caption(tr("priorities.entered_help"))
        if st.session_state.get(P + "edit") not in ids:
            st.session_state[P + "edit"] = ids[0]
        edit = st.selectbox(
            tr("priorities.entered_problem"), ids, format_func=labels.get, key=P + "edit"
        )
        for k in keys:
            c = cfg.criteria[k]
            vkey, ckey = _value_keys(edit, k)
            default(vkey, float(c.default))
            default(ckey, NOT_ASSESSED)
            left, right = st.columns([3, 1])
            left.slider(
                priorities.criterion_label(k, lang()),
                min_value=float(c.low),
                max_value=float(c.high),
                step=1.0,
                key=vkey,
                help=tr(f"priorities.criterion_help.{k}"),
                on_change=_mark_assessed,
                args=(ckey,),
            )
            right.selectbox(
                tr("priorities.confidence"),
                levels,
                key=ckey,
                format_func=label("priorities.confidence."),
            )
    rows = []
    for p in ids:
        for k in keys:
            vkey, ckey = _value_keys(p, k)
            conf = st.session_state.get(ckey, NOT_ASSESSED)
            if conf != NOT_ASSESSED and vkey in st.session_state:
                rows.append((p, k, st.session_state[vkey], conf))
    return pd.DataFrame(rows, columns=list(priorities.ENTERED_COLUMNS))


def _value_keys(problem: str, criterion: str) -> tuple[str, str]:
    h = problem_key(problem)
    return f"{P}v.{h}.{criterion}", f"{P}c.{h}.{criterion}"


def _mark_assessed(conf_key: str) -> None:
    if st.session_state.get(conf_key, NOT_ASSESSED) == NOT_ASSESSED:
        st.session_state[conf_key] = priorities.settings().default_confidence


# -- saving and loading the assessment -------------------------------------------------


def load_saved(fingerprint: str) -> None:
    """Read a saved assessment and, when the user agrees, put its settings in the widgets.

    Call before any other widget of the page: the settings are written to the
    widgets' keys and the page reruns.
    """
    with st.expander(tr("priorities.load_title")):
        upload = st.file_uploader(
            tr("priorities.load_file"), type=["json", "yaml", "yml"], key="priorities.config_file"
        )
        if upload is None:
            return
        loaded = attempt(priorities.load_assessment, upload.getvalue(), fingerprint=fingerprint)
        if loaded is None:
            return
        show_messages(loaded.warnings)
        label = "priorities.load_apply" if loaded.same_data else "priorities.load_anyway"
        if st.button(tr(label), key="priorities.apply", type="primary"):
            _apply(loaded.assessment)
            st.session_state.pop(LAST, None)
            st.rerun()


def _apply(a: priorities.Assessment) -> None:
    names = priorities.presets()
    name = (
        a.scheme.preset
        if a.scheme.preset in names
        else next((n for n in names if priorities.preset(n).method == a.scheme.method), names[0])
    )
    state = st.session_state
    state[P + "by"] = a.by
    state[P + "preset"] = name
    state[CUSTOM] = [dict(c) for c in a.custom]
    for key in priorities.settings().criteria:
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
    cfg = priorities.settings()
    return {"draws": cfg.draws, "seed": cfg.seed, **(st.session_state.get(STABILITY) or {})}


# -- results ---------------------------------------------------------------------------


def top_k_input(n_problems: int) -> int:
    """Size of the top group of the stability analysis (kept within the number of problems)."""
    key, top = P + "top_k", max(1, n_problems)
    current = st.session_state.get(key, priorities.settings().top_k)
    st.session_state[key] = int(min(max(1, int(current)), top))
    return int(st.number_input(tr("priorities.top_k"), min_value=1, max_value=top, step=1, key=key))


def explain_table(ranking: priorities.Ranking, problem: str) -> pd.DataFrame:
    """The decomposition of one problem's score, with headers and names for people."""
    why = priorities.explain(ranking, problem)
    names = [
        tr(f"priorities.col.contrib_{c}")
        if c in ("base", "rounding")
        else priorities.criterion_label(c, lang())
        for c in why["criterion"]
    ]
    bounds = ["value_lower", "value_upper", "contribution_lower", "contribution_upper"]
    empty = [c for c in bounds if c in why.columns and why[c].isna().all()]
    return (
        why.assign(criterion=names)
        .drop(columns=["group", *empty])
        .rename(columns=lambda c: tr(f"priorities.why_col.{c}"))
    )


def development_caption(ranking: priorities.Ranking, problem: str) -> None:
    """What the likely development of the problem rests on, when the method uses it."""
    if "development" not in ranking.criteria:
        return
    row = ranking.table.loc[ranking.table["problem"] == problem].iloc[0]
    note = priorities.development_note(row, lang())
    if note:
        st.caption(note)


def save_buttons(assessment: priorities.Assessment) -> None:
    """Download buttons for the whole configuration, JSON and YAML."""
    left, right = st.columns(2)
    left.download_button(
        tr("priorities.save_json"),
        assessment.to_json(),
        "priority-assessment.json",
        mime="application/json",
        key="priorities.save_json",
        icon=":material/save:",
    )
    right.download_button(
        tr("priorities.save_yaml"),
        assessment.to_yaml(),
        "priority-assessment.yaml",
        mime="application/x-yaml",
        key="priorities.save_yaml",
        icon=":material/save:",
    )


# --- The session's current ranking, for the product pages (strategy, report, workshop).
# A product page needs a ranking even when the user never opened the Priorities page:
# current_ranking() then ranks the data in view with a loaded assessment (a saved session
# restored on the Strategy page) or, failing that, with the default one (the first preset
# and the bundled harm weights), through priorities.rank as the report does.

#: A priority assessment restored from a saved session (``priorities.Assessment``),
#: used until the Priorities page produces a ranking of its own.
ASSESSMENT = "priorities.assessment"  # (view key, Assessment) set by the Priorities page
LOADED = "products.assessment"


def current_ranking(view: View) -> priorities.Ranking:
    """The ranking the user last saw for these data, or the one of the current assessment.

    Parameters
    ----------
    view
        The filtered dataset (``ui.state.view()``).

    Returns
    -------
    priorities.Ranking
        From the Priorities page when it ranked the same view; otherwise
        :func:`ilp_core.decide.priorities.rank` (cached for all sessions) of
        :func:`current_assessment`: a loaded one, or the default preset. Both
        are the same function of the same assessment, so the report (which
        ranks the saved assessment again) shows the same ranking.
    """
    saved = st.session_state.get(LAST)
    if saved is not None and saved[0][0] == view.key:
        return saved[1][0]
    assessment = current_assessment(view)
    spec = assessment.to_dict() if assessment is not None else None
    return cache.compute(
        priorities.rank,
        view.key,
        view.incidents,
        view.dataset.districts,
        assessment=spec,
        classes=_plain_classes(view.dataset.offence_classes),
    )


def _plain_classes(classes: Mapping[str, str | None] | None) -> dict[str, str | None] | None:
    return None if classes is None else dict(classes)


def current_assessment(view: View) -> priorities.Assessment | None:
    """The priority assessment behind :func:`current_ranking`, ready to save; None for the default.

    The Priorities page stores the assessment it shows (``ASSESSMENT``, with the
    view it was made on); otherwise a loaded assessment is returned, or None (the
    default preset).
    """
    shown = st.session_state.get(ASSESSMENT)
    if shown is not None and shown[0] == view.key:
        return shown[1]
    loaded = st.session_state.get(LOADED)
    return loaded if isinstance(loaded, priorities.Assessment) else None
