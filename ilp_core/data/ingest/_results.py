"""What a build returns: the result, the quality report, questions, reasons for rejects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final, Literal

import pandas as pd

from ilp_core import i18n
from ilp_core.data.ingest._mapping import ColumnMapping
from ilp_core.data.ingest._reading import unique_names
from ilp_core.errors import IlpInputError, Message

#: Reject reason codes, in the order they are checked (a row gets the first that applies).
REASONS: Final[tuple[str, ...]] = (
    "row_extra_cells",
    "offence_missing",
    "date_missing",
    "date_unreadable",
    "time_unreadable",
    "date_to_unreadable",
    "date_to_before_from",
    "coordinates_unreadable",
    "coordinates_incomplete",
    "coordinates_zero",
    "coordinates_out_of_range",
    "coordinates_outside_districts",
    "coordinates_far_away",
)
REJECT_COLUMNS: Final[tuple[str, ...]] = ("row_number", "reason", "column", "value", "expected")


@dataclass(frozen=True)
class Question:
    """Something the user must decide before loading; never guessed silently.

    Attributes
    ----------
    key
        ``"date_order"``, ``"swap_latlon"`` or ``"epsg"``: the
        :class:`ColumnMapping` setting that answers it.
    message
        The question, with the evidence (how many rows, an example).
    options
        The possible answers: ``("dmy", "mdy")``, ``("swap", "keep")``, or EPSG
        codes as text.
    default
        A suggestion when the evidence points one way, else ``None``.
    """

    key: Literal["date_order", "swap_latlon", "epsg"]
    message: Message
    options: tuple[str, ...]
    default: str | None


@dataclass(frozen=True, eq=False)
class QualityReport:
    """What a manager reads at a glance about a loaded file.

    Attributes
    ----------
    rows_read, accepted, rejected
        Data rows in the file (empty rows not counted); ``accepted + rejected ==
        rows_read`` always.
    period
        First and last day of the accepted incidents, ``None`` without dates.
    geolocated
        Accepted rows with coordinates.
    district_only
        Accepted rows with a district but no coordinates.
    offence_counts
        Accepted rows per offence, most frequent first.
    reject_counts
        Rejected rows per reason code, most frequent first.
    duplicates_id, duplicates_event
        Accepted rows flagged as repeating an earlier id, or an earlier row's time,
        place and offence (kept, flagged in ``duplicate``).
    readings
        How the file was read: encoding, delimiter, sheet, date format per column,
        coordinate system, swap applied...
    issues
        What went wrong or needs attention, each with its count.
    no_location
        Accepted rows with neither coordinates nor a district (they still count in
        offence trends).
    """

    rows_read: int
    accepted: int
    rejected: int
    period: tuple[dt.date, dt.date] | None
    geolocated: int
    district_only: int
    offence_counts: pd.Series
    reject_counts: pd.Series
    duplicates_id: int
    duplicates_event: int
    readings: tuple[Message, ...]
    issues: tuple[Message, ...]
    no_location: int = 0


@dataclass(frozen=True, eq=False)
class IngestResult:
    """A loaded export: the canonical incidents, the rejected rows and the report.

    Attributes
    ----------
    incidents
        Canonical incident table (``schema.INCIDENT_COLUMNS``).
    rejects
        One row per rejected source row: ``row_number``, ``reason`` (code),
        ``column``, ``value`` (the cell as written), ``expected`` (the formats the
        column was read with, for dates), then the source columns as text.
    report
        The :class:`QualityReport`.
    mapping
        The mapping as used (including answered questions): save it with
        ``to_json`` for the next export.
    offence_classes
        The ICCS class of every offence label of the incidents (None when not
        classified): the mapping's confirmed classes, or, when the mapping has
        none, the categories of known exports (:func:`ilp_core.data.classify.classes_for`).
        Carried by the ``Dataset``; harm weights follow it.
    """

    incidents: pd.DataFrame
    rejects: pd.DataFrame
    report: QualityReport
    mapping: ColumnMapping
    offence_classes: dict[str, str | None] = field(default_factory=dict)


def reject_reason(code: str) -> Message:
    """Return the plain-language reason for a reject code (translatable).

    Parameters
    ----------
    code
        One of :data:`REASONS` (the ``reason`` column of ``IngestResult.rejects``).

    Returns
    -------
    Message
        A sentence saying what is wrong and what to do.

    Examples
    --------
    >>> reject_reason("date_unreadable").render("en")[:28]
    'The date could not be read: '
    """
    if code not in REASONS:
        raise IlpInputError("ingest.unknown_reason", code=str(code), known=", ".join(REASONS))
    return Message(f"ingest.reason.{code}")


def rejects_for_display(rejects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the rejected rows ready to show or download in ``lang``.

    Row number first, then the reason code with its sentence beside it, the
    column, the value and the expected format, then the source columns. The
    column headers of the first six columns are translated; the source columns
    keep their names.

    Parameters
    ----------
    rejects
        ``IngestResult.rejects``.
    lang
        One of ``i18n.LANGUAGES``.

    Returns
    -------
    pandas.DataFrame
        A new frame (``rejects`` is not modified).

    Examples
    --------
    >>> r = pd.DataFrame({"row_number": [7], "reason": ["offence_missing"], "column": ["Type"],
    ...                   "value": [None], "expected": [None], "Type": [None]})
    >>> list(rejects_for_display(r, "fr").columns)[:3]
    ['Ligne', 'Code', 'Motif']
    """
    if lang not in i18n.LANGUAGES:
        raise IlpInputError(
            "ingest.unknown_language", lang=str(lang), known=", ".join(i18n.LANGUAGES)
        )
    missing = [c for c in REJECT_COLUMNS if c not in rejects.columns]
    if missing:
        raise IlpInputError("ingest.not_rejects", columns=missing, missing=", ".join(missing))
    codes = rejects["reason"].astype("str")
    sentences = {c: reject_reason(c).render(lang) for c in pd.unique(codes) if c in REASONS}
    source = [c for c in rejects.columns if c not in REJECT_COLUMNS]
    labels = [
        i18n.t(f"ingest.rejects.{k}", lang)
        for k in ("row_number", "reason", "explanation", "column", "value", "expected")
    ]
    names = unique_names([*labels, *source])
    out = pd.DataFrame(
        {
            names[0]: rejects["row_number"].to_numpy(),
            names[1]: codes.to_numpy(),
            names[2]: codes.map(sentences).to_numpy(),
            names[3]: rejects["column"].to_numpy(),
            names[4]: rejects["value"].to_numpy(),
            names[5]: rejects["expected"].to_numpy(),
        }
    )
    for name, column in zip(names[6:], source, strict=True):
        out[name] = rejects[column].to_numpy()
    return out
