"""The intelligence log as a table: every row checked, items added, files read, shown.

The log (:data:`LOG_COLUMNS`, the ``ilp.intel_log`` table of the app) is entered
in the app or read from a CSV or Excel file (:func:`read_log`);
:func:`validate_log` accepts or rejects every row with its reason
(``accepted + rejected == rows read``), :func:`add_item` and
:func:`append_items` add checked items with the next free ids, and
:func:`rejects_for_display` and :func:`log_for_display` prepare the rejected rows
and the log for the page and for download, in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Final, NamedTuple

import numpy as np
import pandas as pd

from ilp_core import i18n
from ilp_core.errors import IlpInputError, Message
from ilp_core.products.intelligence._grades import Grade, check_code, check_scheme
from ilp_core.products.intelligence._grading import (
    AXES,
    Grading,
    GradingScheme,
    _blank,
    code_meaning,
    grading,
    scheme_label,
)

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
_ID_PATTERN: Final[re.Pattern[str]] = re.compile(r"^INT-(\d+)$")
_DAY_FIRST: Final[re.Pattern[str]] = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


class _Reject(NamedTuple):
    """Why a row is refused: one of :data:`REASONS`, the column, the value as entered."""

    reason: str
    column: str
    value: str
    message: Message


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
        if isinstance(outcome, _Reject):
            rejects.append((numbers[i], *outcome))
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


def _check_row(row: Mapping[str, Any], cfg: Grading, seen: set[str]) -> dict[str, Any] | _Reject:
    """The row as an item of the log, or the first reason to refuse it (:data:`REASONS` order)."""
    summary = _text(row["summary"])
    if not summary:
        return _Reject(
            "summary_missing", "summary", "", Message("intelligence.reason.summary_missing")
        )
    if _blank(row["date"]):
        return _Reject("date_missing", "date", "", Message("intelligence.reason.date_missing"))
    day = parse_date(row["date"])
    if day is None:
        value = _text(row["date"])
        return _Reject(
            "date_unreadable",
            "date",
            value,
            Message("intelligence.reason.date_unreadable", {"value": value}),
        )
    try:
        scheme = check_scheme(row["scheme"], cfg)
    except IlpInputError as error:
        return _Reject("scheme_unknown", "scheme", _text(row["scheme"]), error.message)
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
            return _Reject(reason, axis, _text(row[axis]), error.message)
    item_id = _text(row["item_id"])
    if item_id and item_id in seen:
        return _Reject(
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
    if isinstance(outcome, _Reject):
        message = outcome.message
        raise IlpInputError(message.key, columns=(outcome.column,), **dict(message.params))
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
        ``intelligence.append_rejected`` when an item does not pass :func:`validate_log`.

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
            reason=first["message"].render(),
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
        ``intelligence.log_no_columns`` when no header names a log column.

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
            labels["explanation"]: [m.render(lang) for m in rejects["message"]],
            labels["column"]: columns,
            labels["value"]: rejects["value"].to_numpy(),
        }
    )


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
