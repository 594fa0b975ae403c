"""The intelligence log: graded items, their validation, crosswalks between schemes, summaries.

Intelligence-led policing rests its products on information whose reliability is
graded (OSCE, 2017): every item of the log carries the evaluation of its source,
the evaluation of the information itself and a handling code, in one of three
schemes (``ilp_core/config/grading.yaml`` holds the codes, their meanings, the
crosswalks and the "weak" rule):

* ``eu4x4`` (default): the EU/Europol 4x4 system, source A, B, C, X and
  information 1-4 (Europol Regulation, Article 29), handling codes H0-H3;
* ``uk3x5x2``: the UK 3x5x2 (College of Policing APP), source 1-3,
  intelligence A-E, handling P (lawful sharing permitted) or C (with conditions);
* ``5x5x5``: the older UK National Intelligence Model report, source A-E,
  intelligence 1-5, handling 1-5.

A code outside its scheme is refused with a message that spells out every
allowed code and its meaning. :func:`crosswalk` converts a grade between schemes,
always flagged approximate. :func:`summarise` counts the items per priority and
per grade and flags the priorities that rest mostly on weak information (the rule
is stated by :func:`weak_rule`).

The log (:data:`LOG_COLUMNS`, the ``ilp.intel_log`` table of the app) is entered
in the app or read from a CSV file; every row is either accepted or rejected with
its reason, as in the incident ingest (``accepted + rejected == rows read``).

References
----------
OSCE (2017). *OSCE Guidebook: Intelligence-Led Policing*. TNTD/SPMU Publication
Series Vol. 13, Vienna.
Regulation (EU) 2016/794 (Europol Regulation), Article 29.
College of Policing. *Authorised Professional Practice: Intelligence management*.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal, get_args

import numpy as np
import pandas as pd
import yaml
from babel.lists import format_list

from ilp_core import i18n
from ilp_core.errors import IlpInputError, Message

GradingScheme = Literal["eu4x4", "uk3x5x2", "5x5x5"]
Axis = Literal["source", "information", "handling"]

SCHEMES: Final[tuple[str, ...]] = get_args(GradingScheme)
AXES: Final[tuple[str, ...]] = get_args(Axis)
#: Columns of the intelligence log (``ilp.intel_log``), stable API.
LOG_COLUMNS: Final[tuple[str, ...]] = (
    "item_id",
    "date",
    "summary",
    "problem",
    "area",
    "scheme",
    "source",
    "information",
    "handling",
    "notes",
)
#: Columns every row must fill (the others may stay empty).
REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "date",
    "summary",
    "source",
    "information",
    "handling",
)
#: Reject reasons, in the order they are checked (a row gets the first that applies).
REASONS: Final[tuple[str, ...]] = (
    "summary_missing",
    "date_missing",
    "date_unreadable",
    "scheme_unknown",
    "code_missing",
    "code_invalid",
    "duplicate_id",
)
REJECT_COLUMNS: Final[tuple[str, ...]] = ("row_number", "reason", "column", "value", "message")
FLAG_REASONS: Final[tuple[str, ...]] = ("no_items", "mostly_weak")
_ID_PATTERN: Final[re.Pattern[str]] = re.compile(r"^INT-(\d+)$")
_DAY_FIRST: Final[re.Pattern[str]] = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


# --------------------------------------------------------------------------------------
# The grading configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grading:
    """The grading schemes, their crosswalks and the "weak" rule (``grading.yaml``).

    Attributes
    ----------
    schemes
        ``{scheme: {axis: {code: English meaning}}}``, codes in their order.
    crosswalks
        ``{from: {to: {axis: {code: code}}}}``.
    default_scheme
        The scheme of a row that names none.
    weak_scheme, weak_source, weak_information
        An item is weak when, converted to ``weak_scheme``, its source code is in
        ``weak_source`` or its information code in ``weak_information``.
    mostly_share
        A priority is flagged when more than this share of its items are weak (or
        it has none).
    """

    schemes: Mapping[str, Mapping[str, Mapping[str, str]]]
    crosswalks: Mapping[str, Mapping[str, Mapping[str, Mapping[str, str]]]]
    default_scheme: str
    weak_scheme: str
    weak_source: tuple[str, ...]
    weak_information: tuple[str, ...]
    mostly_share: float


def grading(path: str | Path | None = None) -> Grading:
    """Return the grading configuration (the bundled ``grading.yaml`` by default).

    Parameters
    ----------
    path
        Another YAML file of the same form (a trainer's adaptation).

    Returns
    -------
    Grading

    Raises
    ------
    IlpInputError
        ``intel.config_broken`` naming the part that is missing or wrong.

    Examples
    --------
    >>> g = grading()
    >>> list(g.schemes["eu4x4"]["source"]), g.weak_source
    (['A', 'B', 'C', 'X'], ('C', 'X'))
    """
    if path is None:
        return _bundled()
    return _parse(Path(path).read_text(encoding="utf-8"))


@cache
def _bundled() -> Grading:
    text = (resources.files("ilp_core") / "config" / "grading.yaml").read_text(encoding="utf-8")
    return _parse(text)


def _parse(text: str) -> Grading:
    part = "yaml"
    try:
        data = yaml.safe_load(text)
        part = "schemes"
        schemes = {
            str(s): {
                axis: {_norm(c): " ".join(str(m).split()) for c, m in spec[axis].items()}
                for axis in AXES
            }
            for s, spec in data["schemes"].items()
        }
        if set(schemes) != set(SCHEMES):
            raise ValueError(part)
        part = "crosswalks"
        walks = {
            str(a): {
                str(b): {
                    axis: {_norm(c): _norm(d) for c, d in table[axis].items()} for axis in AXES
                }
                for b, table in targets.items()
            }
            for a, targets in data["crosswalks"].items()
        }
        for a in SCHEMES:
            for b in SCHEMES:
                if a == b:
                    continue
                for axis in AXES:
                    table = walks[a][b][axis]
                    if set(table) != set(schemes[a][axis]) or not set(table.values()) <= set(
                        schemes[b][axis]
                    ):
                        raise ValueError(part)
        part = "weak"
        weak = data["weak"]
        weak_scheme = str(weak["scheme"])
        weak_source = tuple(_norm(c) for c in weak["source"])
        weak_info = tuple(_norm(c) for c in weak["information"])
        share = float(weak["mostly_share"])
        if (
            weak_scheme not in schemes
            or not set(weak_source) <= set(schemes[weak_scheme]["source"])
            or not set(weak_info) <= set(schemes[weak_scheme]["information"])
            or not 0.0 <= share < 1.0
        ):
            raise ValueError(part)
        part = "default_scheme"
        default = str(data.get("default_scheme", SCHEMES[0]))
        if default not in schemes:
            raise ValueError(part)
    except (KeyError, TypeError, ValueError, AttributeError, yaml.YAMLError):
        raise IlpInputError("intelligence.config_broken", part=part) from None
    return Grading(
        schemes=schemes,
        crosswalks=walks,
        default_scheme=default,
        weak_scheme=weak_scheme,
        weak_source=weak_source,
        weak_information=weak_info,
        mostly_share=share,
    )


def _norm(value: Any) -> str:
    """A code as written in the schemes: stripped, upper case, ``2.0`` read as ``2``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if math.isfinite(value) and float(value).is_integer() else str(value)
    text = str(value).strip().upper()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


# --------------------------------------------------------------------------------------
# Labels and messages in the user's language
# --------------------------------------------------------------------------------------


def scheme_label(scheme: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return a scheme's name in ``lang`` (its key when the catalog lacks it).

    Examples
    --------
    >>> scheme_label("eu4x4"), scheme_label("uk3x5x2", "fr")
    ('EU/Europol 4x4', 'Royaume-Uni 3x5x2')
    """
    key = f"intelligence.scheme.{scheme}"
    return i18n.t(key, lang) if i18n.has(key, lang) else str(scheme)


def code_meaning(
    scheme: str, axis: str, code: str, lang: str = i18n.DEFAULT_LANGUAGE, cfg: Grading | None = None
) -> str:
    """Return what a code means, in ``lang`` (the YAML's English wording when not translated).

    Examples
    --------
    >>> code_meaning("eu4x4", "handling", "H2")
    'not to be disseminated without the permission of the provider'
    >>> code_meaning("uk3x5x2", "source", "2", "ru")
    'непроверенный'
    """
    cfg = cfg or grading()
    key = f"intelligence.code.{scheme}.{axis}.{code}"
    if i18n.has(key, lang):
        return i18n.t(key, lang)
    return cfg.schemes[scheme][axis][code]


def allowed_text(
    scheme: str, axis: str, lang: str = i18n.DEFAULT_LANGUAGE, cfg: Grading | None = None
) -> str:
    """Return every code of a scheme's axis with its meaning, as one list in ``lang``.

    Examples
    --------
    >>> allowed_text("uk3x5x2", "handling")
    'P (lawful sharing permitted) or C (lawful sharing permitted with conditions)'
    """
    cfg = cfg or grading()
    items = [f"{c} ({code_meaning(scheme, axis, c, lang, cfg)})" for c in cfg.schemes[scheme][axis]]
    return format_list(items, style="or", locale=lang)


def message_text(message: Message, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Render a message of this module in ``lang``, scheme and code names included.

    Messages carry the raw ``scheme`` and ``axis``; their names and the list of
    allowed codes with meanings are rebuilt in the requested language here (the
    plain :meth:`Message.render` shows them in English).

    Examples
    --------
    >>> try:
    ...     check_code("eu4x4", "source", "Z")
    ... except IlpInputError as error:
    ...     print(message_text(error.message, "es")[:39])
    Fuente: «Z» no es un código del sistema
    """
    params = dict(message.params)
    for name, value in list(params.items()):
        if name.endswith("scheme") and value in SCHEMES:
            params[f"{name}_name"] = scheme_label(value, lang)
    if params.get("scheme") in SCHEMES and params.get("axis") in AXES:
        params["axis_name"] = i18n.t(f"intelligence.axis.{params['axis']}", lang)
        params["allowed"] = allowed_text(params["scheme"], params["axis"], lang)
    return Message(message.key, params).render(lang)


def _code_error(key: str, scheme: str, axis: str, code: str) -> IlpInputError:
    return IlpInputError(
        key,
        columns=(axis,),
        scheme=scheme,
        scheme_name=scheme_label(scheme),
        axis=axis,
        axis_name=i18n.t(f"intelligence.axis.{axis}"),
        code=code,
        allowed=allowed_text(scheme, axis),
    )


# --------------------------------------------------------------------------------------
# Grades: validation and crosswalks
# --------------------------------------------------------------------------------------


def check_scheme(value: Any, cfg: Grading | None = None) -> str:
    """Return the scheme named by ``value`` (blank: the default scheme), or refuse it.

    Raises
    ------
    IlpInputError
        ``intel.bad_scheme`` naming the value and the schemes allowed.

    Examples
    --------
    >>> check_scheme(" UK3x5x2 "), check_scheme("")
    ('uk3x5x2', 'eu4x4')
    """
    cfg = cfg or grading()
    if _blank(value):
        return cfg.default_scheme
    text = str(value).strip().lower()
    if text not in cfg.schemes:
        raise IlpInputError(
            "intelligence.bad_scheme",
            columns=("scheme",),
            value=str(value),
            allowed=", ".join(SCHEMES),
        )
    return text


def check_code(scheme: str, axis: str, value: Any, cfg: Grading | None = None) -> str:
    """Return ``value`` as a code of ``scheme``'s ``axis`` (``"b"`` becomes ``"B"``), or refuse it.

    Parameters
    ----------
    scheme
        One of :data:`SCHEMES`.
    axis
        ``"source"``, ``"information"`` or ``"handling"``.
    value
        The code as entered (text or a number).

    Returns
    -------
    str

    Raises
    ------
    IlpInputError
        ``intel.code_missing`` or ``intel.bad_code``: the message names the code
        and every allowed code with its meaning.

    Examples
    --------
    >>> check_code("eu4x4", "handling", " h1 ")
    'H1'
    >>> try:
    ...     check_code("eu4x4", "source", "Z")
    ... except IlpInputError as error:
    ...     print(str(error)[:58])
    Source 'Z' is not a code of the EU/Europol 4x4 scheme: use
    """
    cfg = cfg or grading()
    if scheme not in cfg.schemes:
        check_scheme(scheme, cfg)
    if axis not in AXES:
        raise IlpInputError("intelligence.bad_axis", value=str(axis), allowed=", ".join(AXES))
    if _blank(value):
        raise _code_error("intelligence.code_missing", scheme, axis, "")
    code = _norm(value)
    if code not in cfg.schemes[scheme][axis]:
        raise _code_error("intelligence.bad_code", scheme, axis, str(value).strip())
    return code


@dataclass(frozen=True)
class Grade:
    """One item's evaluation: scheme, source code, information code, handling code."""

    scheme: str
    source: str
    information: str
    handling: str

    @property
    def label(self) -> str:
        """The grade as analysts write it (``"B2 H1"``, ``"1A P"``, ``"B3 5"``)."""
        return f"{self.source}{self.information} {self.handling}"


def make_grade(
    scheme: GradingScheme | str,
    source: Any,
    information: Any,
    handling: Any,
    cfg: Grading | None = None,
) -> Grade:
    """Check the three codes of an item against its scheme and return its grade.

    Parameters
    ----------
    scheme
        ``"eu4x4"``, ``"uk3x5x2"`` or ``"5x5x5"`` (blank: the default scheme).
    source, information, handling
        The codes as entered.

    Returns
    -------
    Grade

    Raises
    ------
    IlpInputError
        ``intel.bad_scheme``, ``intel.code_missing`` or ``intel.bad_code`` for the
        first code that is wrong.

    Examples
    --------
    >>> make_grade("eu4x4", "b", 2, "h0").label
    'B2 H0'
    """
    cfg = cfg or grading()
    name = check_scheme(scheme, cfg)
    return Grade(
        scheme=name,
        source=check_code(name, "source", source, cfg),
        information=check_code(name, "information", information, cfg),
        handling=check_code(name, "handling", handling, cfg),
    )


@dataclass(frozen=True)
class Converted:
    """A grade converted to another scheme.

    Attributes
    ----------
    grade
        The grade in the target scheme.
    original
        The grade converted.
    approximate
        True whenever the schemes differ: no crosswalk is exact.
    note
        What the conversion means (``intel.crosswalk.approximate`` or
        ``intel.crosswalk.same``).
    """

    grade: Grade
    original: Grade
    approximate: bool
    note: Message


def crosswalk(grade: Grade, to: GradingScheme | str, cfg: Grading | None = None) -> Converted:
    """Convert a grade to another scheme, flagged approximate, with a note saying so.

    The mapping tables are in ``grading.yaml`` (``crosswalks``): where several
    codes meet, the weaker grade and the more restrictive handling were chosen.

    Parameters
    ----------
    grade
        A grade from :func:`make_grade`.
    to
        The target scheme.

    Returns
    -------
    Converted

    Examples
    --------
    >>> c = crosswalk(make_grade("uk3x5x2", "1", "B", "P"), "eu4x4")
    >>> c.grade.label, c.approximate
    ('B3 H0', True)
    >>> crosswalk(c.grade, "uk3x5x2").grade.label  # back where it started
    '1B P'
    """
    cfg = cfg or grading()
    target = check_scheme(to, cfg)
    if target == grade.scheme:
        return Converted(grade, grade, False, Message("intelligence.crosswalk.same"))
    table = cfg.crosswalks[grade.scheme][target]
    out = Grade(
        scheme=target,
        source=table["source"][grade.source],
        information=table["information"][grade.information],
        handling=table["handling"][grade.handling],
    )
    note = Message(
        "intelligence.crosswalk.approximate",
        {
            "original": grade.label,
            "from_scheme": grade.scheme,
            "from_scheme_name": scheme_label(grade.scheme),
            "converted": out.label,
            "to_scheme": target,
            "to_scheme_name": scheme_label(target),
        },
    )
    return Converted(out, grade, True, note)


def is_weak(grade: Grade, cfg: Grading | None = None) -> bool:
    """Whether an item is weak.

    An item is weak when, after conversion to the reference scheme, its source or
    information code is in the weak lists of ``grading.yaml``.

    Examples
    --------
    >>> is_weak(make_grade("eu4x4", "B", "2", "H0")), is_weak(make_grade("eu4x4", "X", "1", "H0"))
    (False, True)
    >>> is_weak(make_grade("uk3x5x2", "2", "A", "P"))  # untested source: X in 4x4
    True
    """
    cfg = cfg or grading()
    ref = crosswalk(grade, cfg.weak_scheme, cfg).grade
    return ref.source in cfg.weak_source or ref.information in cfg.weak_information


def weak_rule(cfg: Grading | None = None) -> Message:
    """The rule that calls an item weak and flags a priority, as a message for the page.

    Examples
    --------
    >>> print(weak_rule().render("en"))  # doctest: +ELLIPSIS
    An item is weak when, converted to EU/Europol 4x4, its source code is one of C, X or ...
    """
    cfg = cfg or grading()
    return Message(
        "intelligence.weak_rule",
        {
            "scheme": cfg.weak_scheme,
            "scheme_name": scheme_label(cfg.weak_scheme),
            "sources": ", ".join(cfg.weak_source),
            "information": ", ".join(cfg.weak_information),
            "share": round(100 * cfg.mostly_share),
        },
    )


# --------------------------------------------------------------------------------------
# The log: validation, reading, adding items
# --------------------------------------------------------------------------------------


def empty_log() -> pd.DataFrame:
    """Return an empty intelligence log with the right columns and dtypes."""
    return _typed(pd.DataFrame({c: [] for c in LOG_COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in LOG_COLUMNS:
        if col == "date":
            out[col] = pd.Series(list(frame[col]), dtype=object)
        else:
            out[col] = pd.array([str(v) for v in frame[col]], dtype="str")
    return out


@dataclass(frozen=True, eq=False)
class LogCheck:
    """A log checked row by row: the rows accepted and the rows rejected with their reason.

    Attributes
    ----------
    log
        The accepted rows (:data:`LOG_COLUMNS`), codes normalised, ids filled in.
    rejects
        One row per rejected row: ``row_number`` (as the user sees it),
        ``reason`` (one of :data:`REASONS`), ``column``, ``value`` and ``message``
        (a :class:`Message`, rendered by :func:`rejects_for_display`).
    rows_read
        Rows checked: ``len(log) + len(rejects) == rows_read``.
    """

    log: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int


def validate_log(frame: pd.DataFrame, cfg: Grading | None = None) -> LogCheck:
    """Check every row of a log (entered in the app or read from a file): accept or reject it.

    A row needs a date, a summary and the three codes of its scheme (a blank
    scheme is the default one, ``eu4x4``); codes are normalised (``" b "``:
    ``"B"``, ``2.0``: ``"2"``), dates read as ISO (``2025-03-01``) or day first
    (``01.03.2025``, ``01/03/2025``). A blank ``item_id`` gets the next free
    ``INT-nnnn``; a repeated id is rejected.

    Parameters
    ----------
    frame
        Columns of :data:`LOG_COLUMNS` (missing optional columns are read as
        empty; a missing required column rejects every row). Row numbers are
        the index when it is named ``row_number`` (a file read by
        :func:`read_log`), else the position counted from 1 (an editor's table).
        Not modified.

    Returns
    -------
    LogCheck

    Examples
    --------
    >>> rows = pd.DataFrame({"date": ["2025-03-01", "2025-03-02"],
    ...     "summary": ["Van seen at night near the depot", "Rumour"],
    ...     "scheme": ["", "eu4x4"], "source": ["B", "Z"], "information": ["2", "4"],
    ...     "handling": ["H0", "H0"]})
    >>> check = validate_log(rows)
    >>> check.log[["item_id", "source"]].values.tolist(), check.rejects["reason"].tolist()
    ([['INT-0001', 'B']], ['code_invalid'])
    """
    cfg = cfg or grading()
    n = len(frame)
    if frame.index.name == "row_number":
        numbers = [int(v) for v in frame.index]
    else:
        numbers = list(range(1, n + 1))
    cells = {c: (list(frame[c]) if c in frame.columns else [None] * n) for c in LOG_COLUMNS}
    accepted: list[dict[str, Any]] = []
    rejects: list[tuple[int, str, str, str, Message]] = []
    seen: set[str] = set()
    pending_ids: list[int] = []
    for i in range(n):
        row = {c: cells[c][i] for c in LOG_COLUMNS}
        outcome = _check_row(row, cfg, seen)
        if isinstance(outcome, tuple):
            reason, column, value, message = outcome
            rejects.append((numbers[i], reason, column, value, message))
            continue
        if not outcome["item_id"]:
            pending_ids.append(len(accepted))
        else:
            seen.add(outcome["item_id"])
        accepted.append(outcome)
    next_number = _next_number(seen)
    for pos in pending_ids:
        accepted[pos]["item_id"] = f"INT-{next_number:04d}"
        next_number += 1
    log = _typed(pd.DataFrame(accepted, columns=list(LOG_COLUMNS))) if accepted else empty_log()
    rej = pd.DataFrame(rejects, columns=list(REJECT_COLUMNS))
    rej["row_number"] = rej["row_number"].astype("int64")
    for col in ("reason", "column", "value"):
        rej[col] = pd.array([str(v) for v in rej[col]], dtype="str")
    return LogCheck(log=log, rejects=rej, rows_read=n)


def _check_row(
    row: Mapping[str, Any], cfg: Grading, seen: set[str]
) -> dict[str, Any] | tuple[str, str, str, Message]:
    summary = _text(row["summary"])
    if not summary:
        return "summary_missing", "summary", "", Message("intelligence.reason.summary_missing")
    if _blank(row["date"]):
        return "date_missing", "date", "", Message("intelligence.reason.date_missing")
    day = parse_date(row["date"])
    if day is None:
        value = _text(row["date"])
        return (
            "date_unreadable",
            "date",
            value,
            Message("intelligence.reason.date_unreadable", {"value": value}),
        )
    try:
        scheme = check_scheme(row["scheme"], cfg)
    except IlpInputError as error:
        return "scheme_unknown", "scheme", _text(row["scheme"]), error.message
    codes = {}
    for axis in AXES:
        try:
            codes[axis] = check_code(scheme, axis, row[axis], cfg)
        except IlpInputError as error:
            reason = (
                "code_missing"
                if error.message.key == "intelligence.code_missing"
                else "code_invalid"
            )
            return reason, axis, _text(row[axis]), error.message
    item_id = _text(row["item_id"])
    if item_id and item_id in seen:
        return (
            "duplicate_id",
            "item_id",
            item_id,
            Message("intelligence.reason.duplicate_id", {"value": item_id}),
        )
    return {
        "item_id": item_id,
        "date": day,
        "summary": summary,
        "problem": _text(row["problem"]),
        "area": _text(row["area"]),
        "scheme": scheme,
        **codes,
        "notes": _text(row["notes"]),
    }


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not blank
        return False


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """Read a date written as ISO (``2025-03-01``) or day first (``01.03.2025``), else None.

    Examples
    --------
    >>> parse_date("01.03.2025"), parse_date("2025-03-01T10:00"), parse_date("31.02.2025")
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1), None)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    text = str(value).strip()
    match = _DAY_FIRST.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _next_number(ids: set[str] | Sequence[str]) -> int:
    numbers = [int(m.group(1)) for i in ids if (m := _ID_PATTERN.match(str(i)))]
    return max(numbers, default=0) + 1


def add_item(
    log: pd.DataFrame,
    *,
    date: Any,
    summary: str,
    source: Any,
    information: Any,
    handling: Any,
    scheme: GradingScheme | str = "",
    problem: str = "",
    area: str = "",
    notes: str = "",
    cfg: Grading | None = None,
) -> pd.DataFrame:
    """Return the log with one more item (checked; the next free id), the input unchanged.

    Raises
    ------
    IlpInputError
        The item's first problem (missing summary or date, a code outside its
        scheme: the message lists the codes allowed and their meanings).

    Examples
    --------
    >>> log = add_item(empty_log(), date="2025-05-02", summary="Crew scouting bikes",
    ...                source="B", information="3", handling="H0", problem="Bicycle theft")
    >>> log[["item_id", "problem", "source"]].values.tolist()
    [['INT-0001', 'Bicycle theft', 'B']]
    """
    cfg = cfg or grading()
    row = {
        "item_id": "",
        "date": date,
        "summary": summary,
        "problem": problem,
        "area": area,
        "scheme": scheme,
        "source": source,
        "information": information,
        "handling": handling,
        "notes": notes,
    }
    outcome = _check_row(row, cfg, set())
    if isinstance(outcome, tuple):
        message = outcome[3]
        raise IlpInputError(message.key, columns=(outcome[1],), **dict(message.params))
    current = validate_log(log, cfg).log
    outcome["item_id"] = f"INT-{_next_number(set(current['item_id'])):04d}"
    return _typed(pd.concat([current, pd.DataFrame([outcome])], ignore_index=True))


def append_items(
    log: pd.DataFrame, items: pd.DataFrame, cfg: Grading | None = None
) -> pd.DataFrame:
    """Return the log with the checked ``items`` added; an item whose id is taken gets a new one.

    Raises
    ------
    IlpInputError
        ``intel.append_rejected`` when an item does not pass :func:`validate_log`.

    Examples
    --------
    >>> one = add_item(empty_log(), date="2025-05-02", summary="a", source="B",
    ...                information="3", handling="H0")
    >>> append_items(one, one)["item_id"].tolist()
    ['INT-0001', 'INT-0002']
    """
    cfg = cfg or grading()
    current = validate_log(log, cfg).log
    check = validate_log(items, cfg)
    if len(check.rejects):
        first = check.rejects.iloc[0]
        raise IlpInputError(
            "intelligence.append_rejected",
            rows=(int(first["row_number"]),),
            row=int(first["row_number"]),
            reason=message_text(first["message"]),
        )
    taken = set(current["item_id"])
    number = _next_number(taken | set(check.log["item_id"]))
    ids = []
    for item_id in check.log["item_id"]:
        if item_id in taken:
            item_id = f"INT-{number:04d}"
            number += 1
        taken.add(item_id)
        ids.append(item_id)
    added = check.log.assign(item_id=ids)
    return _typed(pd.concat([current, added], ignore_index=True))


def read_log(
    source: str | Path | bytes | BinaryIO, filename: str | None = None, cfg: Grading | None = None
) -> LogCheck:
    r"""Read an intelligence log from a CSV/Excel file: every row accepted or rejected.

    Column headers are matched to :data:`LOG_COLUMNS` by name (any case) or by
    their label in any of the app's languages (``Дата``, ``Fuente``...).

    Parameters
    ----------
    source
        A path, the file's bytes, or an upload.
    filename
        Name to show.

    Returns
    -------
    LogCheck
        Row numbers as a spreadsheet shows them (header = 1).

    Raises
    ------
    IlpInputError
        As :func:`ilp_core.data.ingest.read_table` for an unreadable file, and
        ``intel.log_no_columns`` when no header names a log column.

    Examples
    --------
    >>> text = "date,summary,source,information,handling\n2025-01-05,Tip-off,B,2,H0\n"
    >>> check = read_log(text.encode(), "log.csv")
    >>> len(check.log), len(check.rejects), check.rows_read
    (1, 0, 1)
    """
    from ilp_core.data import ingest

    raw = ingest.read_table(source, filename)
    names = _header_names()
    rename = {}
    for col in raw.frame.columns:
        key = names.get(str(col).strip().casefold())
        if key is not None and key not in rename.values():
            rename[col] = key
    if not {"summary", "date"} & set(rename.values()):
        raise IlpInputError(
            "intelligence.log_no_columns",
            columns=list(map(str, raw.frame.columns)),
            expected=", ".join(LOG_COLUMNS),
        )
    frame = raw.frame[list(rename)].rename(columns=rename)
    return validate_log(frame, cfg)


@cache
def _header_names() -> dict[str, str]:
    names = {c: c for c in LOG_COLUMNS}
    for lang in i18n.LANGUAGES:
        for col in LOG_COLUMNS:
            names.setdefault(i18n.t(f"intelligence.col.{col}", lang).casefold(), col)
    return {k.casefold(): v for k, v in names.items()}


def rejects_for_display(rejects: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return rejected rows ready to show or download in ``lang``: row, reason, why, column, value.

    Examples
    --------
    >>> r = validate_log(pd.DataFrame({"date": ["2025-01-01"], "summary": [""]})).rejects
    >>> rejects_for_display(r, "fr").columns.tolist()[:3]
    ['Ligne', 'Code', 'Motif']
    """
    labels = {
        c: i18n.t(f"intelligence.reject_col.{c}", lang) for c in (*REJECT_COLUMNS, "explanation")
    }
    columns = [
        i18n.t(f"intelligence.col.{c}", lang) if c in LOG_COLUMNS else c for c in rejects["column"]
    ]
    return pd.DataFrame(
        {
            labels["row_number"]: rejects["row_number"].to_numpy(),
            labels["reason"]: rejects["reason"].to_numpy(),
            labels["explanation"]: [message_text(m, lang) for m in rejects["message"]],
            labels["column"]: columns,
            labels["value"]: rejects["value"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LogSummary:
    """Items per priority and per grade, and the priorities resting on weak information.

    Attributes
    ----------
    per_problem
        One row per priority given (in their order), then any other problem named
        in the log: ``problem``, ``in_ranking``, ``rank`` and ``tier`` (when given),
        ``n_items``, ``n_weak``, ``weak_share`` (NaN without items), ``flagged``,
        ``flag_reason`` (``no_items``, ``mostly_weak`` or empty), ``last_date``.
    per_grade
        Items per grade in the reference scheme (``grading.yaml``'s ``weak.scheme``,
        after conversion): ``source``, ``information``, ``grade`` (``"B2"``),
        ``weak``, ``n_items``, ``n_converted`` (items graded in another scheme).
    by_problem_grade
        Items per problem (rows, as in ``per_problem``) and reference grade
        (columns ``A1`` ... ``X4`` that occur), counts.
    rule
        The weak rule (:func:`weak_rule`), to state beside the table.
    n_items, n_weak
        Items in the log and weak ones.
    """

    per_problem: pd.DataFrame
    per_grade: pd.DataFrame
    by_problem_grade: pd.DataFrame
    rule: Message
    n_items: int
    n_weak: int


def summarise(
    log: pd.DataFrame, problems: pd.DataFrame | Sequence[str] = (), cfg: Grading | None = None
) -> LogSummary:
    """Count the items per priority and per grade; flag priorities resting on weak information.

    An item belongs to a priority when its ``problem`` names it (any case, or the
    priority's name in any of the app's languages). A priority is flagged
    ``mostly_weak`` when more than ``mostly_share`` (50 %) of its items are weak,
    and ``no_items`` when the log holds none: in both cases what is known about
    it is not corroborated by graded intelligence (see :func:`weak_rule`).

    Parameters
    ----------
    log
        The intelligence log (checked with :func:`validate_log` first).
    problems
        The priorities: names, or a ranking table with ``problem`` (and
        ``rank``, ``tier``, carried over).

    Returns
    -------
    LogSummary

    Examples
    --------
    >>> log = pd.DataFrame({"date": ["2025-01-02"] * 3, "summary": ["a", "b", "c"],
    ...     "problem": ["Robbery", "robbery", "Robbery"], "source": ["B", "X", "C"],
    ...     "information": ["2", "2", "2"], "handling": ["H0"] * 3})
    >>> s = summarise(validate_log(log).log, ["Robbery", "Homicide"])
    >>> s.per_problem[["problem", "n_items", "n_weak", "flag_reason"]].values.tolist()
    [['Robbery', 3, 2, 'mostly_weak'], ['Homicide', 0, 0, 'no_items']]
    """
    cfg = cfg or grading()
    log = validate_log(log, cfg).log
    if isinstance(problems, pd.DataFrame):
        given = problems.reset_index(drop=True)
        names = [str(p) for p in given["problem"]]
    else:
        names = [str(p) for p in problems]
        given = pd.DataFrame({"problem": names})
    refs = [
        crosswalk(Grade(s, i, h, x), cfg.weak_scheme, cfg).grade
        for s, i, h, x in zip(
            log["scheme"], log["source"], log["information"], log["handling"], strict=True
        )
    ]
    weak = np.array(
        [r.source in cfg.weak_source or r.information in cfg.weak_information for r in refs],
        dtype=bool,
    )
    lookup = _problem_lookup(names)
    matched = [lookup.get(str(p).strip().casefold(), str(p).strip()) for p in log["problem"]]
    others = [p for p in dict.fromkeys(matched) if p not in set(names)]
    order = names + others
    items = pd.DataFrame(
        {
            "problem": matched,
            "weak": weak,
            "date": list(log["date"]),
            "grade": [f"{r.source}{r.information}" for r in refs],
            "source": [r.source for r in refs],
            "information": [r.information for r in refs],
            "converted": (log["scheme"] != cfg.weak_scheme).to_numpy(),
        }
    )
    per = items.groupby("problem", sort=False).agg(
        n_items=("weak", "size"), n_weak=("weak", "sum"), last_date=("date", "max")
    )
    per = per.reindex(order)
    table = pd.DataFrame({"problem": pd.array(order, dtype="str")})
    table["in_ranking"] = [p in set(names) for p in order]
    for col in ("rank", "tier"):
        if col in given.columns:
            table[col] = list(given[col]) + [None] * len(others)
    table["n_items"] = per["n_items"].fillna(0).to_numpy(dtype="int64")
    table["n_weak"] = per["n_weak"].fillna(0).to_numpy(dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            table["n_items"] > 0, table["n_weak"] / table["n_items"].clip(lower=1), np.nan
        )
    table["weak_share"] = share
    reason = np.where(
        table["n_items"].to_numpy() == 0,
        "no_items",
        np.where(np.nan_to_num(share, nan=0.0) > cfg.mostly_share, "mostly_weak", ""),
    )
    table["flagged"] = reason != ""
    table["flag_reason"] = pd.array(reason.tolist(), dtype="str")
    table["last_date"] = list(per["last_date"].astype(object).where(per["last_date"].notna(), None))
    grades = _grade_table(items, cfg)
    grid = (
        pd.crosstab(pd.Categorical(items["problem"], categories=order), items["grade"])
        .reindex(index=order, columns=list(grades["grade"]), fill_value=0)
        .rename_axis(index="problem", columns=None)
        .reset_index()
        if len(items)
        else pd.DataFrame({"problem": pd.array(order, dtype="str")})
    )
    return LogSummary(
        per_problem=table,
        per_grade=grades,
        by_problem_grade=grid,
        rule=weak_rule(cfg),
        n_items=len(log),
        n_weak=int(weak.sum()),
    )


def _grade_table(items: pd.DataFrame, cfg: Grading) -> pd.DataFrame:
    scheme = cfg.schemes[cfg.weak_scheme]
    rows = []
    for s in scheme["source"]:
        for i in scheme["information"]:
            here = items[(items["source"] == s) & (items["information"] == i)]
            if len(here):
                rows.append(
                    (
                        s,
                        i,
                        f"{s}{i}",
                        s in cfg.weak_source or i in cfg.weak_information,
                        len(here),
                        int(here["converted"].sum()),
                    )
                )
    return pd.DataFrame(
        rows, columns=["source", "information", "grade", "weak", "n_items", "n_converted"]
    ).astype({"n_items": "int64", "n_converted": "int64", "weak": bool})


def _problem_lookup(names: Sequence[str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in names:
        lookup.setdefault(name.strip().casefold(), name)
        for lang in i18n.LANGUAGES:
            lookup.setdefault(i18n.term(name, lang).strip().casefold(), name)
    return lookup


def summary_for_display(summary: LogSummary, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the per-priority summary with headers, names and flags in ``lang``.

    Examples
    --------
    >>> s = summarise(empty_log(), ["Robbery"])
    >>> summary_for_display(s, "en").iloc[0, :3].astype(str).tolist()
    ['Robbery', '0', '0']
    """
    t = summary.per_problem
    out = pd.DataFrame(
        {
            "problem": [i18n.term(p, lang) for p in t["problem"]],
            "n_items": t["n_items"].to_numpy(),
            "n_weak": t["n_weak"].to_numpy(),
            "weak_share": [
                "" if pd.isna(v) else i18n.percent(float(v), lang) for v in t["weak_share"]
            ],
            "flag": [i18n.t(f"intelligence.flag.{r}", lang) if r else "" for r in t["flag_reason"]],
            "last_date": ["" if d is None else i18n.date(d, lang) for d in t["last_date"]],
        }
    )
    if "tier" in t.columns:
        tiers = [
            i18n.t(f"intelligence.tier.{v}", lang) if v in ("high", "medium", "low") else ""
            for v in t["tier"]
        ]
        out.insert(1, "tier", tiers)
    return out.rename(columns=lambda c: i18n.t(f"intelligence.summary_col.{c}", lang))


def grades_for_display(summary: LogSummary, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the items per reference grade with each code spelled out, headers in ``lang``.

    Examples
    --------
    >>> log = add_item(empty_log(), date="2025-05-02", summary="x", source="1",
    ...                information="B", handling="P", scheme="uk3x5x2")
    >>> grades_for_display(summarise(log), "en").iloc[0].tolist()[0]
    'B3'
    """
    cfg = grading()
    g = summary.per_grade
    ref = cfg.weak_scheme
    out = pd.DataFrame(
        {
            "grade": g["grade"].to_numpy(),
            "source": [code_meaning(ref, "source", c, lang, cfg) for c in g["source"]],
            "information": [
                code_meaning(ref, "information", c, lang, cfg) for c in g["information"]
            ],
            "weak": [i18n.t(f"intelligence.weak.{bool(w)}".lower(), lang) for w in g["weak"]],
            "n_items": g["n_items"].to_numpy(),
            "n_converted": g["n_converted"].to_numpy(),
        }
    )
    return out.rename(columns=lambda c: i18n.t(f"intelligence.grade_col.{c}", lang))


def log_for_display(log: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the log with translated headers and each grade spelled out (for download).

    Examples
    --------
    >>> log = add_item(empty_log(), date="2025-05-02", summary="x", source="B",
    ...                information="3", handling="H0")
    >>> log_for_display(log, "en").columns.tolist()[-1]
    'Meaning of the grade'
    """
    cfg = grading()
    meanings = [
        "; ".join(
            f"{i18n.t(f'intelligence.axis.{a}', lang)} {getattr(g, a)}: "
            f"{code_meaning(g.scheme, a, getattr(g, a), lang, cfg)}"
            for a in AXES
        )
        for g in (
            Grade(s, i, h, x)
            for s, i, h, x in zip(
                log["scheme"], log["source"], log["information"], log["handling"], strict=True
            )
        )
    ]
    out = log[list(LOG_COLUMNS)].copy()
    out["scheme"] = [scheme_label(s, lang) for s in out["scheme"]]
    out["meaning"] = meanings
    return out.rename(columns=lambda c: i18n.t(f"intelligence.col.{c}", lang))
