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
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core import checks, i18n
from ilp_core.errors import IlpInputError

QuestionKind = Literal["text", "choice", "multi", "number"]
QUESTION_KINDS: Final[tuple[str, ...]] = get_args(QuestionKind)
OptionSource = Literal["districts", "offences"]
OPTION_SOURCES: Final[tuple[str, ...]] = get_args(OptionSource)
Agreement = Literal["very_strong", "strong", "moderate", "weak", "very_weak", "opposite"]
AGREEMENTS: Final[tuple[str, ...]] = get_args(Agreement)
#: Key of the participant's own ranking in the answers dict.
OWN_RANKING: Final[str] = "own_ranking"
#: Keys the priorities step adds to the answers beside its questions.
SCORED_RANKING: Final[str] = "scored_ranking"
SPEARMAN_RHO: Final[str] = "spearman_rho"
#: Lower bounds of |rho| for the verbal labels (Evans, 1996).
_BANDS: Final[tuple[tuple[float, str], ...]] = (
    (0.8, "very_strong"),
    (0.6, "strong"),
    (0.4, "moderate"),
    (0.2, "weak"),
    (0.0, "very_weak"),
)
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
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IlpInputError("workshop.config_broken", reason=str(error)) from None
    return _parse(text)


@cache
def _bundled() -> Scenario:
    return _parse((resources.files("ilp_core") / "config" / "workshop.yaml").read_text("utf-8"))


def _broken(reason: str) -> IlpInputError:
    return IlpInputError("workshop.config_broken", reason=reason)


def _parse(text: str) -> Scenario:
    try:
        data = checks.json_document(text, yaml_too=True)  # bounded: no 1,000-deep nesting
    except IlpInputError:
        raise
    except ValueError as error:
        raise _broken(str(error)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        raise _broken("steps: a list of steps is missing")
    try:
        steps = tuple(_parse_step(entry) for entry in data["steps"])
        ranking = tuple(str(p) for p in _listed(data.get("ranking_problems")))
        glossary = tuple(str(g) for g in _listed(data.get("glossary")))
    except (TypeError, ValueError, OverflowError) as error:
        raise _broken(f"a value of the wrong type: {error}") from None
    ids = [s.id for s in steps]
    if not steps or len(set(ids)) != len(ids):
        raise _broken(f"step ids must be present and different: {ids}")
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
    Spearman's rho.

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
            text = answer_text(step, q, given.get(q.id), lang) or f"_{empty}_"
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
    lines += [f"{i}. {i18n.term(p, lang)}" for i, p in enumerate(own, start=1)] + [""]
    try:
        comparison = compare_rankings(own, scored)
    except IlpInputError:
        return lines
    lines += [f"**{i18n.t('workshop.scored_ranking', lang)}**", ""]
    lines += [f"{i}. {i18n.term(p, lang)}" for i, p in enumerate(comparison.scored, 1)] + [""]
    lines += [comparison_sentence(comparison, lang), ""]
    return lines


# -- own ranking against the scored one -----------------------------------------------------


@dataclass(frozen=True)
class RankComparison:
    """A participant's order of the problems beside the scored order.

    Attributes
    ----------
    table
        One row per problem, in the participant's order: ``problem``, ``own_rank``,
        ``scored_rank`` (1 = highest priority, among the problems compared) and
        ``difference`` = ``own_rank - scored_rank`` (positive: the participant put
        it lower than the scoring did).
    rho
        Spearman's rank correlation (1: same order, -1: reversed).
    p_value
        Two-sided p-value of rho against no association (few problems: a rough guide).
    n
        Number of problems compared (in both orders).
    agreement
        Verbal label of rho: ``very_strong``, ``strong``, ``moderate``, ``weak``,
        ``very_weak`` (bands of |rho| at 0.8, 0.6, 0.4, 0.2; Evans, 1996) or
        ``opposite`` (rho <= -0.2).
    own, scored
        The two orders, restricted to the problems compared.
    top_k
        Size of the top group compared (3, or fewer problems).
    shared_top
        Problems in the top ``top_k`` of both orders, in the participant's order.
    largest
        The problem whose two ranks differ most (first in the participant's order
        on a tie).
    """

    table: pd.DataFrame
    rho: float
    p_value: float
    n: int
    agreement: str
    own: tuple[str, ...]
    scored: tuple[str, ...]
    top_k: int
    shared_top: tuple[str, ...]
    largest: str


def compare_rankings(own: Sequence[str], scored: Sequence[str], top_k: int = 3) -> RankComparison:
    """Compare a participant's priority order with the scored one (Spearman's rho).

    Only problems in both orders are compared, ranked again 1..n in each.

    Parameters
    ----------
    own
        The participant's order, highest priority first.
    scored
        The scored ranking's order, highest priority first.
    top_k
        Size of the top group whose overlap is reported.

    Returns
    -------
    RankComparison

    Raises
    ------
    IlpInputError
        ``workshop.ranking_duplicate`` when a problem appears twice in one order;
        ``workshop.too_few_to_compare`` when fewer than 3 problems are in both.

    References
    ----------
    Spearman (1904); scipy.stats.spearmanr.

    Examples
    --------
    Two neighbours swapped among four problems: d = (0, 1, -1, 0), so
    rho = 1 - 6 * 2 / (4 * 15) = 0.8.

    >>> c = compare_rankings(["A", "B", "C", "D"], ["A", "C", "B", "D"])
    >>> round(c.rho, 3), c.agreement, c.shared_top, c.largest
    (0.8, 'very_strong', ('A', 'B', 'C'), 'B')
    """
    for order in (own, scored):
        seen = [str(p) for p in order]
        if len(set(seen)) != len(seen):
            twice = next(p for p in seen if seen.count(p) > 1)
            raise IlpInputError("workshop.ranking_duplicate", problem=twice)
    common = {str(p) for p in own} & {str(p) for p in scored}
    mine = tuple(str(p) for p in own if str(p) in common)
    theirs = tuple(str(p) for p in scored if str(p) in common)
    if len(mine) < 3:
        raise IlpInputError("workshop.too_few_to_compare", n=len(mine))
    scored_rank = {p: i for i, p in enumerate(theirs, start=1)}
    own_ranks = np.arange(1, len(mine) + 1)
    other_ranks = np.array([scored_rank[p] for p in mine])
    result = stats.spearmanr(own_ranks, other_ranks)
    rho, p_value = float(result.statistic), float(result.pvalue)
    table = pd.DataFrame(
        {
            "problem": pd.array(mine, dtype="str"),
            "own_rank": own_ranks,
            "scored_rank": other_ranks,
            "difference": own_ranks - other_ranks,
        }
    )
    k = min(int(top_k), len(mine))
    shared = tuple(p for p in mine[:k] if p in set(theirs[:k]))
    largest = mine[int(np.argmax(np.abs(table["difference"].to_numpy())))]
    return RankComparison(
        table=table,
        rho=rho,
        p_value=p_value,
        n=len(mine),
        agreement=agreement(rho),
        own=mine,
        scored=theirs,
        top_k=k,
        shared_top=shared,
        largest=largest,
    )


def agreement(rho: float) -> str:
    """The verbal label of a rank correlation (Evans, 1996), for a sentence a manager reads.

    Examples
    --------
    >>> agreement(0.85), agreement(0.45), agreement(0.1), agreement(-0.5)
    ('very_strong', 'moderate', 'very_weak', 'opposite')
    """
    if not math.isfinite(rho):
        return "very_weak"
    if rho <= -0.2:
        return "opposite"
    # 1e-9: rho = 0.8 computed in floating point (0.7999999999999999) is 0.8.
    return next(label for bound, label in _BANDS if abs(rho) >= bound - 1e-9)


def comparison_sentence(comparison: RankComparison, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Spearman's rho and the main differences, in plain language.

    Examples
    --------
    >>> c = compare_rankings(["A", "B", "C", "D"], ["A", "C", "B", "D"])
    >>> print(comparison_sentence(c, "en"))  # doctest: +NORMALIZE_WHITESPACE
    Spearman's rho = 0.80: your order and the scored order agree very strongly
    (1 = the same order, 0 = unrelated, -1 = reversed). Both put A, B, C in their top 3
    of 4. The largest difference is B: 2nd in your order, 3rd in the scored one.
    """
    row = comparison.table.set_index("problem").loc[comparison.largest]
    parts = [
        i18n.t(
            "workshop.rho_sentence",
            lang,
            rho=i18n.number(comparison.rho, lang, 2),
            agreement=i18n.t(f"workshop.agreement.{comparison.agreement}", lang),
        ),
        i18n.t(
            "workshop.top_shared" if comparison.shared_top else "workshop.top_none_shared",
            lang,
            problems=", ".join(i18n.term(p, lang) for p in comparison.shared_top),
            k=comparison.top_k,
            n=comparison.n,
        ),
    ]
    if int(row["difference"]) != 0:
        parts.append(
            i18n.t(
                "workshop.largest_difference",
                lang,
                problem=i18n.term(comparison.largest, lang),
                own=ordinal(int(row["own_rank"]), lang),
                scored=ordinal(int(row["scored_rank"]), lang),
            )
        )
    return " ".join(parts)


def ordinal(n: int, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A rank as an ordinal in the language (2nd, 2-й, 2e, 2.º).

    Examples
    --------
    >>> [ordinal(n, "en") for n in (1, 2, 3, 4, 11, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '22nd']
    >>> ordinal(1, "fr"), ordinal(2, "fr"), ordinal(3, "ru"), ordinal(3, "es")
    ('1er', '2e', '3-е', '3.º')
    """
    if lang == "en":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    if lang == "ru":
        return f"{n}-е"
    if lang == "es":
        return f"{n}.º"
    return str(n)


def comparison_for_display(
    comparison: RankComparison, lang: str = i18n.DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """The comparison table with problems translated and headers in ``lang``.

    Examples
    --------
    >>> c = compare_rankings(["Robbery", "Homicide", "Shoplifting"],
    ...                      ["Homicide", "Robbery", "Shoplifting"])
    >>> comparison_for_display(c, "en").columns.tolist()
    ['Problem', 'Your rank', 'Scored rank', 'Difference']
    """
    shown = comparison.table.assign(problem=[i18n.term(p, lang) for p in comparison.table.problem])
    return shown.rename(columns=lambda c: i18n.t(f"workshop.col.{c}", lang))


def scored_order(ranking_table: pd.DataFrame, problems: Sequence[str] = ()) -> list[str]:
    """The offence types of a priority ranking table, highest priority first.

    Parameters
    ----------
    ranking_table
        ``priority.Ranking.table`` (columns ``rank``, ``kind``, ``offence``).
    problems
        Keep only these offence types (empty: all).

    Returns
    -------
    list of str
        Offence-level problems only (offence-by-district rows are left out).

    Examples
    --------
    >>> t = pd.DataFrame({"rank": [2, 1, 3], "kind": ["offence"] * 3,
    ...                   "offence": ["Robbery", "Homicide", "Shoplifting"]})
    >>> scored_order(t, ["Shoplifting", "Robbery"])
    ['Robbery', 'Shoplifting']
    """
    rows = ranking_table.loc[ranking_table["kind"].astype(str) == "offence"]
    rows = rows.sort_values("rank", kind="stable")
    order = [str(o) for o in rows["offence"]]
    if problems:
        wanted = {str(p) for p in problems}
        order = [o for o in order if o in wanted]
    return order
