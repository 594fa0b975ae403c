"""The workshop scenario: the guided walk through the ILP cycle, as data, and its small sums.

A training room works through the ILP cycle on the sample region step by step
(tasking, data, where, when, priorities, allocation, strategy, review). The steps,
the settings each step puts on a page, the questions and the planted answers live
in ``ilp_core/config/workshop.yaml`` so a trainer can adapt them; the words live in
the ``workshop`` catalogs. This module reads that file (:func:`scenario`), compares a
participant's own priority ranking with the scored one (:func:`compare_rankings`,
Spearman's rho in plain language), checks factual answers against the planted truth
(:func:`check_answer`) and writes a participant's answers as Markdown or JSON
(:func:`answers_markdown`, :func:`answers_json`).

A participant's answers are a plain, JSON-serialisable dict
``{step_id: {question_id: answer}}`` plus their own ranking under
:data:`OWN_RANKING` (a list of problems, highest priority first).

References
----------
OSCE (2017). *OSCE Guidebook: Intelligence-Led Policing*. Vienna: OSCE.
Spearman, C. (1904). The proof and measurement of association between two things.
*American Journal of Psychology*, 15(1), 72-101.
Evans, J. D. (1996). *Straightforward Statistics for the Behavioral Sciences*.
Pacific Grove: Brooks/Cole (verbal labels of correlation strength).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import i18n, markup
from ilp_core.errors import IlpInputError
from ilp_core.learn._document import check_step_ids, steps_document
from ilp_core.learn._ranking import (  # the ranking exercise, part of this module's API
    AGREEMENTS as AGREEMENTS,
)
from ilp_core.learn._ranking import Agreement as Agreement
from ilp_core.learn._ranking import RankComparison as RankComparison
from ilp_core.learn._ranking import agreement as agreement
from ilp_core.learn._ranking import compare_rankings, comparison_sentence
from ilp_core.learn._ranking import comparison_for_display as comparison_for_display
from ilp_core.learn._ranking import ordinal as ordinal
from ilp_core.learn._ranking import scored_order as scored_order

QuestionKind = Literal["text", "choice", "multi", "number"]
QUESTION_KINDS: Final[tuple[str, ...]] = get_args(QuestionKind)
OptionSource = Literal["districts", "offences"]
OPTION_SOURCES: Final[tuple[str, ...]] = get_args(OptionSource)
#: Key of the participant's own ranking in the answers dict.
OWN_RANKING: Final[str] = "own_ranking"
#: Keys the priorities step adds to the answers beside its questions.
SCORED_RANKING: Final[str] = "scored_ranking"
SPEARMAN_RHO: Final[str] = "spearman_rho"
_STEP_PARTS: Final[tuple[str, ...]] = ("title", "look", "why")


@dataclass(frozen=True)
class Question:
    """One question of a step.

    Attributes
    ----------
    id
        Stable name (the answer's key and the widget key's last part).
    kind
        ``text``, ``choice``, ``multi`` or ``number``.
    options
        The choices of a ``choice`` question.
    options_from
        ``districts`` or ``offences``: the data values a ``multi`` question offers.
    expected
        The sample region's planted answer, or None (no right answer).
    tolerance
        Accepted distance from ``expected`` for a number.
    minimum, maximum, step
        Bounds and step of a number.
    unit
        ``"percent"`` or ``""``.
    districts
        Districts whose current patrol hours the question's text quotes.
    text
        Text given in the scenario file per language (overrides the catalog).
    """

    id: str
    kind: str
    options: tuple[str, ...] = ()
    options_from: str | None = None
    expected: Any = None
    tolerance: float = 0.0
    minimum: float = 0.0
    maximum: float = 1e9
    step: float = 1.0
    unit: str = ""
    districts: tuple[str, ...] = ()
    text: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A page a step sends the participant to, and the widget values it sets there.

    Attributes
    ----------
    page
        Path of the page as registered in app.py (``pages/patterns_where.py``).
    settings
        Widget keys (``p.*``) and the values they get.
    """

    page: str
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def nav_key(self) -> str:
        """Catalog key of the page's name in the navigation (``nav.patterns_where``)."""
        return "nav." + Path(self.page).stem


@dataclass(frozen=True)
class Step:
    """One step of the scenario.

    Attributes
    ----------
    id
        Stable name (``where``).
    minutes
        Time planned for it in a 90-minute session.
    links
        Pages to open, with their settings.
    questions
        One or two questions.
    ranking
        True for the step where participants rank the problems themselves.
    text
        Title, what to look at and why, per language, when the scenario file gives
        them (overrides the catalog).
    """

    id: str
    minutes: int
    links: tuple[Link, ...]
    questions: tuple[Question, ...]
    ranking: bool = False
    text: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """The whole guided exercise, as read from the scenario file.

    Attributes
    ----------
    steps
        The steps in order.
    ranking_problems
        Offence types participants rank (empty: all offence types of the data).
    glossary
        Term ids of the glossary, in order.
    show_feedback
        Whether participants see if a factual answer matches the planted truth.
    region
        ``"sample"``: the dataset the scenario is written for.
    """

    steps: tuple[Step, ...]
    ranking_problems: tuple[str, ...]
    glossary: tuple[str, ...]
    show_feedback: bool = True
    region: str = "sample"

    def step(self, step_id: str) -> Step:
        """Return the step named ``step_id`` (``KeyError`` when there is none)."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def minutes(self) -> int:
        """Total planned time of the steps."""
        return sum(s.minutes for s in self.steps)


def scenario(path: str | Path | None = None) -> Scenario:
    """Read the workshop scenario: steps, questions, planted answers, glossary.

    Parameters
    ----------
    path
        A YAML file laid out as ``ilp_core/config/workshop.yaml``; ``None`` reads
        that bundled file (read once and shared: a :class:`Scenario` is immutable).

    Returns
    -------
    Scenario

    Raises
    ------
    IlpInputError
        ``workshop.config_broken`` naming what is wrong (a step without an id, an
        unknown question kind, a choice without options, two steps with one id).

    Examples
    --------
    >>> s = scenario()
    >>> [st.id for st in s.steps][:4], s.minutes
    (['tasking', 'data', 'where', 'when'], 90)
    >>> s.step("where").questions[0].expected
    ('Market Quarter', 'Old Harbour', 'South Fields')
    """
    if path is None:
        return _bundled()
    return _parse(steps_document(path, "workshop.yaml", _broken))


@cache
def _bundled() -> Scenario:
    return _parse(steps_document(None, "workshop.yaml", _broken))


def _broken(reason: str) -> IlpInputError:
    return IlpInputError("workshop.config_broken", reason=reason)


def _parse(data: Mapping[str, Any]) -> Scenario:
    try:
        steps = tuple(_parse_step(entry) for entry in data["steps"])
        ranking = tuple(str(p) for p in _listed(data.get("ranking_problems")))
        glossary = tuple(str(g) for g in _listed(data.get("glossary")))
    except (TypeError, ValueError, OverflowError) as error:
        raise _broken(f"a value of the wrong type: {error}") from None
    check_step_ids([s.id for s in steps], _broken)
    return Scenario(
        steps=steps,
        ranking_problems=ranking,
        glossary=glossary,
        show_feedback=bool(data.get("show_feedback", True)),
        region=str(data.get("region", "sample")),
    )


def _listed(value: Any) -> list[Any]:
    """A list from the file (None: empty); anything else is of the wrong type."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"a list was expected, not {type(value).__name__}")
    return value


def _parse_step(entry: Any) -> Step:
    if not isinstance(entry, Mapping) or not str(entry.get("id") or "").strip():
        raise _broken(f"a step needs an id: {entry!r}")
    sid = str(entry["id"])
    links = []
    for link in _listed(entry.get("links")):
        if not isinstance(link, Mapping) or not str(link.get("page") or "").endswith(".py"):
            raise _broken(f"step {sid}: a link needs a page (pages/<name>.py): {link!r}")
        settings = link.get("settings") or {}
        if not isinstance(settings, Mapping) or not all(str(k).startswith("p.") for k in settings):
            raise _broken(f"step {sid}: settings must be widget keys starting with 'p.'")
        links.append(Link(str(link["page"]), MappingProxyType(dict(settings))))
    questions = tuple(_parse_question(sid, q) for q in _listed(entry.get("questions")))
    qids = [q.id for q in questions]
    if len(set(qids)) != len(qids):
        raise _broken(f"step {sid}: question ids must be different: {qids}")
    return Step(
        id=sid,
        minutes=int(entry.get("minutes", 10)),
        links=tuple(links),
        questions=questions,
        ranking=bool(entry.get("ranking", False)),
        text=MappingProxyType(_text_map(entry.get("text"))),
    )


def _parse_question(sid: str, q: Any) -> Question:
    if not isinstance(q, Mapping) or not str(q.get("id") or "").strip():
        raise _broken(f"step {sid}: a question needs an id: {q!r}")
    qid, kind = str(q["id"]), str(q.get("kind", "text"))
    if kind not in QUESTION_KINDS:
        raise _broken(f"{sid}.{qid}: kind {kind!r} is not one of {list(QUESTION_KINDS)}")
    options = tuple(str(o) for o in _listed(q.get("options")))
    source = q.get("options_from")
    if kind == "choice" and not options:
        raise _broken(f"{sid}.{qid}: a choice question needs options")
    if kind == "multi" and source not in OPTION_SOURCES:
        raise _broken(f"{sid}.{qid}: options_from must be one of {list(OPTION_SOURCES)}")
    expected = q.get("expected")
    if kind == "multi" and expected is not None:
        expected = tuple(str(e) for e in _listed(expected))
    if kind == "choice" and expected is not None and expected not in options:
        raise _broken(f"{sid}.{qid}: expected {expected!r} is not one of the options")
    text = q.get("text") or {}
    if not isinstance(text, Mapping):
        raise TypeError(f"{sid}.{qid}: text must map languages to text")
    return Question(
        id=qid,
        kind=kind,
        options=options,
        options_from=str(source) if source else None,
        expected=expected,
        tolerance=float(q.get("tolerance", 0.0)),
        minimum=float(q.get("min", 0.0)),
        maximum=float(q.get("max", 1e9)),
        step=float(q.get("step", 1.0)),
        unit=str(q.get("unit", "")),
        districts=tuple(str(d) for d in _listed(q.get("districts"))),
        text=MappingProxyType({str(k): str(v) for k, v in dict(text).items()}),
    )


def _text_map(value: Any) -> dict[str, Mapping[str, str]]:
    if not isinstance(value, Mapping):
        return {}
    return {
        str(lang): MappingProxyType({str(k): str(v) for k, v in dict(parts).items()})
        for lang, parts in value.items()
        if isinstance(parts, Mapping)
    }


# -- words -------------------------------------------------------------------------------


def step_text(step: Step, part: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A step's ``title``, ``look`` (what to look at) or ``why``, in ``lang``.

    The scenario file's own text wins over the catalog; a language it lacks falls
    back to the catalog, then to the file's English.

    Examples
    --------
    >>> step_text(scenario().step("where"), "title", "es")
    '¿Dónde?'
    """
    if part not in _STEP_PARTS:
        raise ValueError(f"part {part!r} is not one of {_STEP_PARTS}")
    own = step.text.get(lang, {}).get(part)
    if own:
        return own
    key = f"workshop.step.{step.id}.{part}"
    if i18n.has(key, lang):
        return i18n.t(key, lang)
    return step.text.get(i18n.DEFAULT_LANGUAGE, {}).get(part, step.id)


def question_text(
    step: Step, question: Question, lang: str = i18n.DEFAULT_LANGUAGE, **params: Any
) -> str:
    """The question's sentence in ``lang``, its placeholders filled with ``params``.

    Examples
    --------
    >>> s = scenario().step("where")
    >>> question_text(s, s.questions[1], "en")
    'Which district has an emerging hot spot (hot only in the last few months)?'
    """
    template = question.text.get(lang)
    key = f"workshop.q.{step.id}.{question.id}"
    if template is None and i18n.has(key, lang):
        return i18n.t(key, lang, **params)
    template = template or question.text.get(i18n.DEFAULT_LANGUAGE, question.id)
    return template.format(**params) if params else template


def option_label(step: Step, question: Question, option: Any, lang: str) -> str:
    """Label of an option: the catalog's for a choice, the translated data value otherwise."""
    if question.kind == "choice":
        key = f"workshop.q.{step.id}.{question.id}.{option}"
        return i18n.t(key, lang) if i18n.has(key, lang) else str(option)
    return i18n.term(option, lang)


# -- the region --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionFacts:
    """The region in four figures, for the tasking step.

    Attributes
    ----------
    residents
        Sum of the districts' population (NaN when unknown).
    districts
        Number of districts (0 without boundaries).
    incidents
        Incidents in view.
    start, end
        First and last day with an incident (None for an empty table).
    """

    residents: float
    districts: int
    incidents: int
    start: dt.date | None
    end: dt.date | None


def region_facts(incidents: pd.DataFrame, districts: pd.DataFrame | None = None) -> RegionFacts:
    """Residents, districts, incidents and period of the data in view.

    Parameters
    ----------
    incidents
        Canonical incident table.
    districts
        Districts with a ``population`` column, or None.

    Returns
    -------
    RegionFacts

    Examples
    --------
    >>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2025-01-02", "2025-03-04"])})
    >>> d = pd.DataFrame({"district": ["A", "B"], "population": [1000, 2500]})
    >>> f = region_facts(inc, d)
    >>> f.residents, f.districts, f.incidents, str(f.end)
    (3500.0, 2, 2, '2025-03-04')
    """
    when = incidents["occurred_at"]
    has_time = bool(when.notna().any())
    residents = math.nan
    if districts is not None and "population" in districts:
        pop = pd.to_numeric(districts["population"], errors="coerce")
        residents = float(pop.sum()) if pop.notna().any() else math.nan
    return RegionFacts(
        residents=residents,
        districts=0 if districts is None else len(districts),
        incidents=len(incidents),
        start=when.min().date() if has_time else None,
        end=when.max().date() if has_time else None,
    )


def current_hours(allocation: pd.DataFrame | None, districts: Sequence[str]) -> tuple[float, float]:
    """Patrol hours a week the named districts get now, and the total of all districts.

    Parameters
    ----------
    allocation
        Columns ``district`` and ``hours_per_week`` (the dataset's allocation), or None.
    districts
        The districts to add up.

    Returns
    -------
    tuple of float
        ``(hours of those districts, total hours)``; NaN, NaN without an allocation.

    Examples
    --------
    >>> a = pd.DataFrame({"district": ["A", "B", "C"], "hours_per_week": [10, 20, 70]})
    >>> current_hours(a, ["A", "C"])
    (80.0, 100.0)
    """
    if allocation is None or not {"district", "hours_per_week"} <= set(allocation.columns):
        return math.nan, math.nan
    hours = pd.to_numeric(allocation["hours_per_week"], errors="coerce")
    chosen = allocation["district"].astype(str).isin([str(d) for d in districts]).to_numpy()
    return float(hours[chosen].sum()), float(hours.sum())


# -- answers -----------------------------------------------------------------------------

#: Longest text answer kept (a participant's note; a restored file may hold anything).
MAX_TEXT_ANSWER: Final[int] = 10_000
_MAX_LIST: Final[int] = 1_000


def clean_answers(answers: Any, cfg: Scenario | None = None) -> dict[str, Any]:
    """Keep the answers that fit the scenario's questions, each in its question's type.

    Answers come back from a saved workspace or an uploaded file, so they may hold
    anything: a number where a list is expected, a step that is a string, a choice
    that is not an option. Each answer is kept when it fits its question (text:
    a string, cut at :data:`MAX_TEXT_ANSWER` characters; number: a finite number;
    choice: one of the options; multi: a list of names), and left out otherwise;
    so are steps and questions the scenario does not have.

    Parameters
    ----------
    answers
        ``{step_id: {question_id: answer}}`` plus :data:`OWN_RANKING`, or anything.
    cfg
        The scenario (default: the bundled one).

    Returns
    -------
    dict
        A new dict, safe for every function of this module and for JSON.

    Examples
    --------
    >>> clean_answers({"data": {"geolocated": "a lot"}, "where": 7, "own_ranking": ["A", 3]})
    {'own_ranking': ['A', '3']}
    >>> clean_answers({"data": {"geolocated": 98}})
    {'data': {'geolocated': 98.0}}
    """
    cfg = cfg or scenario()
    if not isinstance(answers, Mapping):
        return {}
    out: dict[str, Any] = {}
    for step in cfg.steps:
        given = answers.get(step.id)
        if not isinstance(given, Mapping):
            continue
        kept: dict[str, Any] = {}
        for q in step.questions:
            value = _clean_answer(q, given.get(q.id))
            if value is not None:
                kept[q.id] = value
        if step.ranking:
            scored = _names(given.get(SCORED_RANKING))
            if scored:
                kept[SCORED_RANKING] = scored
            rho = _finite(given.get(SPEARMAN_RHO))
            if rho is not None and -1.0 <= rho <= 1.0:
                kept[SPEARMAN_RHO] = rho
        if kept:
            out[step.id] = kept
    own = _names(answers.get(OWN_RANKING))
    if own:
        out[OWN_RANKING] = own
    return out


def _clean_answer(question: Question, value: Any) -> Any:
    if value is None:
        return None
    if question.kind == "number":
        return _finite(value)
    if question.kind == "multi":
        return _names(value) or None
    if not isinstance(value, str) or not value:
        return None
    if question.kind == "choice":
        return value if value in question.options else None
    return value[:MAX_TEXT_ANSWER]


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _names(value: Any) -> list[str]:
    """A list of names (strings or numbers, as data values may be), or an empty list."""
    if not isinstance(value, list | tuple):
        return []
    return [
        str(v)[:MAX_TEXT_ANSWER]
        for v in value[:_MAX_LIST]
        if isinstance(v, str) or (isinstance(v, int | float) and not isinstance(v, bool))
    ]


def check_answer(question: Question, answer: Any) -> bool | None:
    """Whether an answer matches the planted truth; None when there is none to check.

    Parameters
    ----------
    question
        The question (its ``expected`` and ``tolerance``).
    answer
        The participant's answer (None or empty: not answered).

    Returns
    -------
    bool or None
        None for open questions and unanswered ones.

    Examples
    --------
    >>> q = Question("geolocated", "number", expected=98.5, tolerance=0.5)
    >>> check_answer(q, 98.2), check_answer(q, 90), check_answer(q, None)
    (True, False, None)
    >>> m = Question("hot", "multi", options_from="districts", expected=("A", "B"))
    >>> check_answer(m, ["B", "A"]), check_answer(m, ["A"])
    (True, False)
    """
    answer = _clean_answer(question, answer)
    if question.expected is None or answer is None:
        return None
    if question.kind == "number":
        try:
            return abs(float(answer) - float(question.expected)) <= question.tolerance + 1e-9
        except (TypeError, ValueError):
            return False
    if question.kind == "multi":
        return {str(a) for a in answer} == {str(e) for e in question.expected}
    return str(answer) == str(question.expected)


def expected_text(step: Step, question: Question, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The planted answer as a participant reads it (translated names, local numbers).

    Examples
    --------
    >>> s = scenario().step("data")
    >>> expected_text(s, s.questions[0], "fr")
    '98,5%'
    """
    return answer_text(step, question, question.expected, lang)


def answer_text(step: Step, question: Question, answer: Any, lang: str) -> str:
    """An answer written out for people: options and data values translated, numbers local.

    An answer that does not fit the question (see :func:`clean_answers`) reads as none.
    """
    answer = _clean_answer(question, list(answer) if isinstance(answer, tuple) else answer)
    if answer is None:
        return ""
    if question.kind == "number":
        value = float(answer)
        if question.unit == "percent":
            return i18n.percent(value / 100.0, lang, _decimals(question.step))
        return i18n.number(value, lang, _decimals(question.step))
    if question.kind == "multi":
        return ", ".join(option_label(step, question, a, lang) for a in answer)
    if question.kind == "choice":
        return option_label(step, question, answer, lang)
    return str(answer)


def _decimals(step: float) -> int:
    return 0 if float(step).is_integer() else max(1, -math.floor(math.log10(abs(step))))


def answers_json(answers: Mapping[str, Any]) -> bytes:
    r"""The answers as UTF-8 JSON (sorted keys), for download and for the workspace file.

    Raises
    ------
    IlpInputError
        ``workshop.answers_not_serialisable`` when a value is not plain JSON data.

    Examples
    --------
    >>> answers_json({"where": {"emerging": ["Station"]}}).decode()
    '{\n  "where": {\n    "emerging": [\n      "Station"\n    ]\n  }\n}'
    """
    try:
        text = json.dumps(answers, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise IlpInputError("workshop.answers_not_serialisable", reason=str(error)) from None
    return text.encode("utf-8")


def answers_markdown(
    answers: Mapping[str, Any],
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    cfg: Scenario | None = None,
    when: dt.date | None = None,
    level: int = 1,
) -> str:
    """The participant's answers as a Markdown document, in ``lang``, step by step.

    Questions come with the answer given (or "not answered") and, for factual
    questions, whether it matches the sample region's planted truth; the
    priorities step lists the participant's own order beside the scored one and
    Spearman's rho. What the participant typed and the problems' names are
    escaped (:func:`ilp_core.markup.markdown`): a restored answer cannot become
    a link or an image.

    Parameters
    ----------
    answers
        ``{step_id: {question_id: answer}}`` plus :data:`OWN_RANKING`.
    lang
        Language of the document.
    cfg
        The scenario (default: the bundled one).
    when
        Date printed under the title (None: no date).
    level
        Heading level of the title (the steps are one level below), so the document
        can sit inside a page.

    Returns
    -------
    str

    Examples
    --------
    >>> md = answers_markdown({"data": {"geolocated": 98.5}}, "en")
    >>> "98.5%" in md and "matches the pattern planted" in md
    True
    """
    cfg = cfg or scenario()
    answers = clean_answers(answers, cfg)
    lines = [f"{'#' * level} {i18n.t('workshop.doc_title', lang)}", ""]
    if when is not None:
        lines += [i18n.date(when, lang, "long"), ""]
    empty = i18n.t("workshop.not_answered", lang)
    for number, step in enumerate(cfg.steps, start=1):
        given = answers.get(step.id) or {}
        lines += [f"{'#' * (level + 1)} {number}. {step_text(step, 'title', lang)}", ""]
        for q in step.questions:
            text = answer_text(step, q, given.get(q.id), lang)
            text = (text if q.kind == "number" else markup.markdown(text)) or f"_{empty}_"
            lines += [f"**{question_text(step, q, lang, **_neutral_params(q, lang))}**", ""]
            lines += [text, ""]
            verdict = check_answer(q, given.get(q.id)) if cfg.show_feedback else None
            if verdict is not None:
                key = "workshop.feedback_right" if verdict else "workshop.feedback_other"
                lines += [f"> {i18n.t(key, lang, expected=expected_text(step, q, lang))}", ""]
        if step.ranking:
            lines += _ranking_lines(answers, lang)
    return "\n".join(lines).rstrip() + "\n"


def _neutral_params(question: Question, lang: str) -> dict[str, Any]:
    if not question.districts:
        return {}
    names = ", ".join(i18n.term(d, lang) for d in question.districts)
    return {"districts": names, "current": "…", "total": "…"}


def _ranking_lines(answers: Mapping[str, Any], lang: str) -> list[str]:
    own = list(answers.get(OWN_RANKING) or ())
    scored = list((answers.get("priorities") or {}).get(SCORED_RANKING) or ())
    if not own:
        return [f"_{i18n.t('workshop.no_own_ranking', lang)}_", ""]
    lines = [f"**{i18n.t('workshop.own_ranking', lang)}**", ""]
    lines += [f"{i}. {markup.markdown(i18n.term(p, lang))}" for i, p in enumerate(own, 1)] + [""]
    try:
        comparison = compare_rankings(own, scored)
    except IlpInputError:
        return lines
    lines += [f"**{i18n.t('workshop.scored_ranking', lang)}**", ""]
    lines += [
        f"{i}. {markup.markdown(i18n.term(p, lang))}" for i, p in enumerate(comparison.scored, 1)
    ]
    lines += ["", comparison_sentence(comparison, lang, escape=markup.markdown), ""]
    return lines
