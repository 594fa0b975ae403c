"""From text cells to the canonical incident table, the rejects and the quality report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ilp_core.data import classify, coverage, geo, schema
from ilp_core.data.ingest._blocks import beside, compact, row_blocks, two_at_a_time
from ilp_core.data.ingest._canonical import (
    canonical,
    categorical,
    date_order,
    kept_codes,
    nanoseconds_in_place,
    reordered,
    repeats_numbers,
    repeats_text,
    text_order,
)
from ilp_core.data.ingest._common import RejectFlags, arrow_column, as_numpy_str, clean_text, config
from ilp_core.data.ingest._coords import (
    epsg_candidates,
    read_coordinates,
    read_pair,
    swap_evidence,
    swap_message,
    xy_look_like_degrees,
)
from ilp_core.data.ingest._dates import DatePlan, ParsedDates, parse_column, plan_column
from ilp_core.data.ingest._mapping import ColumnMapping, check_mapping, suggest_mapping
from ilp_core.data.ingest._offences import merge_spellings, spelling_message
from ilp_core.data.ingest._reading import RawTable, read_table, unique_names
from ilp_core.data.ingest._results import (
    REASONS,
    REJECT_COLUMNS,
    IngestResult,
    QualityReport,
    Question,
    reject_reason,
    rejects_for_display,
)
from ilp_core.errors import IlpInputError, Message

__all__ = [
    "REASONS",
    "REJECT_COLUMNS",
    "IngestResult",
    "QualityReport",
    "Question",
    "build_incidents",
    "load_incidents",
    "questions",
    "reject_reason",
    "rejects_for_display",
]

_DATE_FIELDS: Final[tuple[str, ...]] = ("datetime", "date", "time", "datetime_to")
_COORDINATE_FIELDS: Final[tuple[str, ...]] = ("lat", "lon", "x", "y")
_EXAMPLES: Final[int] = 5

#: A progress callback: the fraction done (0 to 1) and the step's code
#: (``columns``, ``dates``, ``places``, ``assembling``, ``done``; ``reading`` too
#: in :func:`load_incidents`). It may raise :class:`~ilp_core.errors.Cancelled`.
Progress = Callable[[float, str], None]

# -- questions ----------------------------------------------------------------------------


@dataclass
class _Prepared:
    columns: dict[str, pa.Array]
    plans: dict[str, DatePlan]


def _prepare(
    raw: RawTable, mapping: ColumnMapping, only: tuple[str, ...] | None = None
) -> _Prepared:
    present = set(raw.frame.columns)
    wanted = [
        (f, c) for f, c in mapping.fields.items() if c in present and (only is None or f in only)
    ]
    # column by column and block by block, two at a time: the blocks of a column are
    # joined as they are (Arrow's blocks), nothing copied. The coordinates are read
    # as the file has them, and a block cleaned only where Arrow cannot read it as
    # plain numbers (to_float): 0.15 s less at 10,000,000 rows
    texts = {f: arrow_column(raw.frame, c) for f, c in wanted}
    work = [
        (f, start, stop)
        for f in texts
        if f not in _COORDINATE_FIELDS
        for start, stop in row_blocks(len(raw.frame))
    ]
    cleaned = two_at_a_time(
        lambda job: clean_text(texts[job[0]].slice(job[1], job[2] - job[1])), work, len(raw.frame)
    )
    parts: dict[str, list[pa.ChunkedArray | pa.Array]] = {f: [] for f in texts}
    for (f, _, _), part in zip(work, cleaned, strict=True):
        parts[f].append(part)
    columns = {f: texts[f] if f in _COORDINATE_FIELDS else _joined(parts[f]) for f in texts}
    plans = {
        f: plan_column(
            columns[f],
            field=f,
            column=mapping.fields[f],
            date_order=mapping.date_order,
            cell_type=raw.column_types.get(mapping.fields[f]),
            file_format=raw.format,
        )
        for f in _DATE_FIELDS
        if f in columns
    }
    return _Prepared(columns, plans)


def _joined(pieces: list[pa.ChunkedArray | pa.Array]) -> pa.ChunkedArray | pa.Array:
    """Blocks of one column as one chunked array (their chunks kept, nothing copied)."""
    if len(pieces) == 1:
        return pieces[0]
    chunks = [c for p in pieces for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
    return pa.chunked_array(chunks, type=pieces[0].type)


def _date_question(plans: dict[str, DatePlan]) -> Question | None:
    open_plans = [p for p in plans.values() if p.needs_order]
    if not open_plans:
        return None
    plan = open_plans[0]
    if plan.day_first_rows and plan.month_first_rows:
        message = Message(
            "ingest.question.date_order_conflict",
            {
                "column": plan.column,
                "n_dmy": plan.day_first_rows,
                "n_mdy": plan.month_first_rows,
            },
        )
        return Question("date_order", message, ("dmy", "mdy"), plan.suggested_order)
    as_dmy, as_mdy = _two_readings(plan.example)
    message = Message(
        "ingest.question.date_order",
        {
            "column": plan.column,
            "example": plan.example,
            "as_dmy": as_dmy,
            "as_mdy": as_mdy,
            "n": plan.ambiguous_rows,
        },
    )
    return Question("date_order", message, ("dmy", "mdy"), None)


def _two_readings(example: str) -> tuple[dt.date | str, dt.date | str]:
    """The example date read day first and month first (for the question)."""
    import re

    match = re.match(r"^(\d{1,2})[/\-](\d{1,2})[/\-](\d{2,4})", example)
    if not match:
        return example, example
    a, b, y = (int(g) for g in match.groups())
    y = y + 2000 if y < 100 else y
    try:
        return dt.date(y, b, a), dt.date(y, a, b)
    except ValueError:
        return example, example


def questions(
    raw: RawTable,
    mapping: ColumnMapping,
    *,
    districts: gpd.GeoDataFrame | None = None,
) -> tuple[Question, ...]:
    r"""List what the analyst must decide before this file can be loaded.

    The Data page shows each question with its options; the answer goes into the
    mapping (``mapping.answer(q.key, option)`` or ``dataclasses.replace``). Asked:
    the day/month order when dates such as ``03/04/2024`` cannot tell (no day above
    12 anywhere, or both kinds of proof); the EPSG code of X/Y columns (4326
    suggested when they hold degrees; the codes that fit the values named when
    several do); whether to swap latitude and longitude when they look swapped
    (most "latitudes" beyond +-90; with ``districts``, far more points inside a
    district once swapped; otherwise most points in the sea as given and on land
    once swapped).

    Parameters
    ----------
    raw
        The table from :func:`read_table`.
    mapping
        The current mapping (fields mapped to missing columns are ignored here).
    districts
        Optional boundaries: sharpens the swap test.

    Returns
    -------
    tuple of Question
        Empty when nothing needs deciding. ``build_incidents`` refuses to load
        while ``date_order`` or ``epsg`` is open; a swap question is advice (the
        report repeats it when not followed).

    Examples
    --------
    >>> raw = read_table(b"Date,Crime\n03/04/2024,Theft\n05/06/2024,Theft\n", "x.csv")
    >>> [(q.key, q.options, q.default) for q in questions(raw, suggest_mapping(raw.frame.columns))]
    [('date_order', ('dmy', 'mdy'), None)]
    """
    # only the columns a question can be about: the page asks again on every rerun
    prepared = _prepare(raw, mapping, only=(*_DATE_FIELDS, *_COORDINATE_FIELDS))
    return _questions(prepared, mapping, districts)


def _questions(
    prepared: _Prepared, mapping: ColumnMapping, districts: gpd.GeoDataFrame | None
) -> tuple[Question, ...]:
    out: list[Question] = []
    date_q = _date_question(prepared.plans)
    if date_q is not None:
        out.append(date_q)
    cols = prepared.columns
    if "lat" in cols and "lon" in cols and not mapping.swap_latlon:
        lat, lon, *_ = read_pair(cols["lat"], cols["lon"])
        evidence = swap_evidence(lat, lon, districts)
        if evidence.swapped:
            lat_col, lon_col = mapping.fields["lat"], mapping.fields["lon"]
            message = swap_message(evidence, "question", lat_col, lon_col)
            out.append(Question("swap_latlon", message, ("swap", "keep"), "swap"))
    if "x" in cols and "y" in cols and mapping.epsg is None:
        x, y, *_ = read_pair(cols["x"], cols["y"])
        choice = epsg_candidates(x, y, districts)
        names = {"x": mapping.fields["x"], "y": mapping.fields["y"]}
        if xy_look_like_degrees(x, y):
            ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
            first = int(np.argmax(ok))
            example = {"example_x": f"{x[first]:.6g}", "example_y": f"{y[first]:.6g}"}
            message = Message("ingest.question.epsg_degrees", {**names, **example})
        elif len(choice.fitting) > 1:
            message = Message(
                "ingest.question.epsg_several", {**names, "codes": ", ".join(choice.fitting)}
            )
        else:
            message = Message("ingest.question.epsg", names)
        out.append(Question("epsg", message, choice.options, choice.default))
    return tuple(out)


# -- building -----------------------------------------------------------------------------


def build_incidents(
    raw: RawTable,
    mapping: ColumnMapping,
    *,
    districts: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    r"""Turn a read file into the canonical incident table, with every row accounted for.

    Every data row is either accepted or rejected with a reason (``accepted +
    rejected == rows read``); the report says how each column was read and what
    needs attention. Dates are parsed with the format detected per column, coordinates
    are checked (see :mod:`ilp_core.data.ingest._coords` for the rules), districts come
    from the mapped column or, with ``districts``, from the location; repeated ids
    and repeated events are flagged, not dropped. Unmapped columns are not kept.
    The incidents are in date order: the file's, when its rows are in date order
    (oldest or newest first); otherwise oldest first, incidents of one moment in
    the file's order, and the report says so. ``source_row`` keeps each one's row
    in the file. A period of the table is then a slice, not a copy, for every view.

    Parameters
    ----------
    raw
        The table from :func:`read_table`.
    mapping
        Which column holds which field, with the answers to :func:`questions`.
    districts
        Optional boundaries (``district``, ``geometry``): to assign districts by
        location and to reject points far outside the area.
    progress
        Called on the calling thread with the fraction done (increasing, 0 to 1)
        and the step's code (``columns``, ``dates``, ``places``, ``assembling``,
        ``done``), for a progress bar. Raising :class:`~ilp_core.errors.Cancelled`
        from it stops the build; nothing is returned (the build has no side effect).

    Returns
    -------
    IngestResult
        ``incidents``, ``rejects``, ``report`` and the ``mapping`` used.

    Raises
    ------
    IlpInputError
        When the offence is not mapped, a mapped column is missing, the mapping
        is contradictory, or the day/month order or the EPSG code is still open.
    Cancelled
        When ``progress`` raised it.

    Examples
    --------
    >>> raw = read_table(b"Date,Crime,Lat,Lon\n2024-03-18 23:45,Theft,51.5,-0.12\n"
    ...                  b"2024-03-19,,51.5,-0.12\n", "x.csv")
    >>> result = build_incidents(raw, suggest_mapping(raw.frame.columns))
    >>> bad = result.rejects
    >>> result.report.accepted, bad["reason"].tolist(), bad["row_number"].tolist()
    (1, ['offence_missing'], [3])
    """
    check_mapping(mapping, list(raw.frame.columns))
    _step(progress, 0.0, "columns")
    prepared = _prepare(raw, mapping)
    for plan in prepared.plans.values():
        if plan.needs_order:
            raise IlpInputError(
                "ingest.open_question.date_order",
                columns=[plan.column],
                column=plan.column,
                example=plan.example,
                n=plan.ambiguous_rows,
            )
    if "x" in mapping.fields and mapping.epsg is None:
        raise IlpInputError(
            "ingest.open_question.epsg",
            columns=[mapping.fields["x"], mapping.fields["y"]],
            x=mapping.fields["x"],
            y=mapping.fields["y"],
        )
    builder = _Builder(raw, mapping, prepared, districts, progress)
    del raw, prepared  # the builder lets go of the text it has read (when nothing else holds it)
    result = builder.run()
    _step(progress, 1.0, "done")
    return result


def _step(progress: Progress | None, fraction: float, step: str) -> None:
    # Arrow's allocator keeps the memory a step freed for itself; it goes back to the
    # system between steps (2 ms), for the NumPy arrays of the next step to use
    pa.default_memory_pool().release_unused()
    if progress is not None:
        progress(fraction, step)


class _Builder:
    """One build: arrays over all rows, filled step by step, then assembled."""

    def __init__(
        self,
        raw: RawTable,
        mapping: ColumnMapping,
        prepared: _Prepared,
        districts: gpd.GeoDataFrame | None,
        progress: Progress | None = None,
    ) -> None:
        self.progress = progress
        self.raw = raw
        self.mapping = mapping
        self.cols = prepared.columns
        self.plans = prepared.plans
        self.districts = None if districts is None else _boundaries_wgs84(districts)
        self.n = len(raw.frame)
        self.rows = raw.frame.index.to_numpy(dtype=np.int64)
        self.flags = RejectFlags(self.n)
        self.readings: list[Message] = list(raw.readings)
        self.issues: list[Message] = []
        self.parsed: dict[str, ParsedDates] = {}
        self.id_order: Future[np.ndarray] | None = None
        self.offence_codes: Future[pd.Categorical] | None = None
        self.district_codes: Future[pd.Categorical] | None = None
        self.placed = "lat" in self.cols or "x" in self.cols  # coordinates mapped

    def flag(
        self, mask: np.ndarray, code: str, column: str | None, expected: str | None = None
    ) -> None:
        self.flags.flag(mask, code, column, expected)

    def run(self) -> IngestResult:
        fields = self.mapping.fields
        layout = self.mapping.layout
        if layout:
            title = (config().get("layouts") or {}).get(layout, {}).get("title", layout)
            self.readings.append(Message("ingest.reading.layout", {"title": str(title)}))
        if self.raw.extra_cells:
            extra_rows = np.fromiter(self.raw.extra_cells, dtype=np.int64)
            self.flag(np.isin(self.rows, extra_rows), "row_extra_cells", None)
        offence = self.cols["offence"]
        self.flag(_isnull(offence), "offence_missing", fields["offence"])
        # the ids are sorted beside the steps below (1-1.7 s at 10,000,000 rows): the
        # repeats among the kept rows are then read from this order
        if "incident_id" in self.cols:
            self.id_order = beside(text_order, self.cols["incident_id"], self.n)
        # the offences (and district names, without boundaries to check them against)
        # are encoded beside the steps below too: 0.35 s less at 10,000,000 rows
        self.offence_codes = beside(categorical, offence, self.n)
        if "district" in self.cols and self.districts is None:
            self.district_codes = beside(categorical, self.cols["district"], self.n)
        _step(self.progress, 0.2, "dates")
        self._parse_columns()
        at, precision = self._dates()
        to = self._date_to(at)
        _step(self.progress, 0.5, "places")
        coords = read_coordinates(
            {f: self.cols[f] for f in _COORDINATE_FIELDS if f in self.cols},
            dict(fields),
            self.flags,
            epsg=self.mapping.epsg,
            swap=self.mapping.swap_latlon,
            districts=self.districts,
        )
        self.readings.extend(coords.readings)
        if coords.given_lat is not None and not self.mapping.swap_latlon:
            evidence = swap_evidence(coords.given_lat, coords.given_lon, self.districts)
            if evidence.swapped:
                lat_col, lon_col = self.mapping.fields["lat"], self.mapping.fields["lon"]
                self.issues.append(swap_message(evidence, "issue", lat_col, lon_col))
        ok = self.flags.ok
        # every reason is known: the rejected rows' cells are taken now, and the read
        # text the table does not keep goes (when the caller does not hold it: a load
        # in one call, 0.7 GB of dates and coordinates at 10,000,000 rows)
        rejects = self._rejects(~ok)
        self._let_go()
        _step(self.progress, 0.8, "assembling")
        return self._assemble(ok, at, to, precision, coords.lat, coords.lon, rejects)

    def _let_go(self) -> None:
        """Drop the read text of the columns parsed into numbers (dates, coordinates)."""
        for f in (*_DATE_FIELDS, *_COORDINATE_FIELDS):
            self.cols.pop(f, None)
        self.raw = replace(self.raw, frame=self.raw.frame.iloc[:0])

    # dates ---------------------------------------------------------------------------

    def _parse_columns(self) -> None:
        """Read the date columns used (each in blocks of rows, two at a time, on a large table)."""
        fields = self.mapping.fields
        main = "datetime" if "datetime" in fields else "date"
        wanted = [main, "time", "datetime_to"] if main == "date" else [main, "datetime_to"]
        wanted = [f for f in wanted if f in fields and f in self.plans]
        # one column after the other, each in blocks of rows two at a time
        self.parsed = {f: parse_column(self.cols[f], self.plans[f]) for f in wanted}

    def _parse(self, f: str) -> ParsedDates:
        parsed = self.parsed[f]  # read by _parse_columns
        readings = parsed.readings
        if f == "date":
            readings = tuple(m for m in readings if m.key != "ingest.reading.dates_midnight")
        self.readings.extend(readings)
        return parsed

    def _dates(self) -> tuple[np.ndarray, np.ndarray]:
        fields = self.mapping.fields
        main = "datetime" if "datetime" in fields else "date" if "date" in fields else None
        if main is None:
            self.issues.append(Message("ingest.issue.no_dates"))
            at = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[s]")
            return at, np.full(self.n, -1, dtype=np.int8)
        column = fields[main]
        parsed = self._parse(main)
        self.flag(_isnull(self.cols[main]), "date_missing", column)
        self.flag(parsed.unreadable, "date_unreadable", column, _labels(self.plans[main]))
        at, precision = parsed.values, parsed.precision.copy()
        if main == "date":
            at = at.astype("datetime64[D]").astype("datetime64[s]")
            precision[precision == 0] = 1
            if "time" in fields:
                times = self._parse("time")
                self.flag(
                    times.unreadable, "time_unreadable", fields["time"], _labels(self.plans["time"])
                )
                has_time = ~np.isnat(times.values) & ~np.isnat(at) & (precision == 1)
                at[has_time] = at[has_time] + times.values[has_time]
                precision[has_time] = 0
                self.readings.append(
                    Message(
                        "ingest.reading.date_plus_time",
                        {"date": column, "time": fields["time"], "n": int(has_time.sum())},
                    )
                )
        return at, precision

    def _date_to(self, at: np.ndarray) -> np.ndarray:
        to = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[s]")
        if "datetime_to" not in self.mapping.fields:
            return to
        column = self.mapping.fields["datetime_to"]
        parsed = self._parse("datetime_to")
        self.flag(
            parsed.unreadable, "date_to_unreadable", column, _labels(self.plans["datetime_to"])
        )
        # a date-only end means the end of that day (the parsed column is this build's own)
        to = parsed.values
        np.add(to, np.timedelta64(86399, "s"), out=to, where=parsed.precision == 1)
        self.flag(~np.isnat(to) & ~np.isnat(at) & (to < at), "date_to_before_from", column)
        return to

    # assembly -------------------------------------------------------------------------

    def _assemble(
        self,
        ok: np.ndarray,
        at: np.ndarray,
        to: np.ndarray,
        precision: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        rejects: pd.DataFrame,
    ) -> IngestResult:
        fields = self.mapping.fields
        keep = np.flatnonzero(ok)
        everything = len(keep) == self.n
        kept = pa.array(ok)

        def pick(values: pa.Array) -> pa.Array:
            # a mask, not positions: Arrow filters the reader's blocks one by one, where
            # taking 10,000,000 positions joined them first (0.2-0.9 s a column)
            return values if everything else values.filter(kept)

        def take(values: np.ndarray) -> np.ndarray:
            # every row kept: the array itself (six copies were 0.4 GB at 10,000,000 rows)
            return values if everything else values[keep]

        def own(values: np.ndarray) -> np.ndarray:
            # the build's own arrays keep their kept rows in place, no copy
            return values if everything else compact(values, ok)

        rows = take(self.rows)  # the read table's row numbers: not this build's own
        lat_k, lon_k, at_k = own(lat), own(lon), own(at)
        geolocated = np.isfinite(lat_k) & np.isfinite(lon_k)
        kept_rows = None if everything else ok
        offence_cat, merged = merge_spellings(kept_codes(self.offence_codes.result(), kept_rows))
        if merged:
            self.readings.append(spelling_message(merged))
        # the repeated events are found beside the columns below (their keys are only
        # read there): 0.8 s of 1.6 s of work at 10,000,000 rows
        event_repeats = beside(
            lambda keys: repeats_numbers(*keys), (at_k, lat_k, lon_k, offence_cat.codes), len(keep)
        )

        # ids: the export's, or row-<n>
        if "incident_id" in self.cols:
            ids = pick(self.cols["incident_id"])
        else:
            ids = pa.nulls(len(keep), pa.large_string())
        given = np.asarray(ids.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        # before row-<n> fills the gaps (those never repeat), from the order sorted
        # beside the steps before, outside Python's lock
        order = self.id_order.result() if self.id_order is not None else None
        id_repeats = beside(lambda values: repeats_text(values, order, ok), ids, len(keep))
        if not given.all():
            generated = pa.array(np.char.add("row-", rows.astype(str)), pa.large_string())
            ids = pc.if_else(ids.is_valid(), ids, generated)
            self.readings.append(
                Message("ingest.reading.ids_generated", {"n": int((~given).sum())})
            )

        district = self._districts(pick, kept_rows, lat_k, lon_k, geolocated)
        location = (
            pick(self.cols["location_id"])
            if "location_id" in self.cols
            else pa.nulls(len(keep), pa.large_string())
        )

        # over every row, the keys not copied: a row without a place or a date never
        # equals another (NaN and NaT equal nothing), and is not an event anyway
        event_dup = event_repeats.result()
        event_dup &= geolocated & ~np.isnat(at_k)
        id_dup = given & id_repeats.result()
        event_dup &= ~id_dup
        dup_codes = np.full(len(keep), -1, dtype=np.int8)
        dup_codes[id_dup] = schema.DUPLICATE_KINDS.index("id")
        dup_codes[event_dup] = schema.DUPLICATE_KINDS.index("event")

        columns: dict[str, object] = {
            "incident_id": ids,
            "occurred_at": nanoseconds_in_place(at_k),
            "occurred_to": nanoseconds_in_place(own(to)),
            "precision": own(precision),
            "offence": offence_cat,
            "lat": lat_k,
            "lon": lon_k,
            "district": district,
            "location_id": location,
            "source_row": rows,
            "duplicate": dup_codes,
        }
        # the read text is in the columns now: let it go before any column is reordered
        del ids, at_k, lat_k, lon_k, location, rows, dup_codes
        self.cols.clear()
        # the rows in date order (each keeps its row number in the file), unless they are
        # already: a period is then a slice of the table for every session, not a copy
        order = date_order(columns["occurred_at"])  # type: ignore[arg-type]
        if order is not None:
            columns = reordered(columns, order)
            self.readings.append(Message("ingest.reading.date_order", {}))
        incidents = canonical(columns)
        report = self._report(incidents, rejects, int(id_dup.sum()), int(event_dup.sum()))
        classes = classify.classes_for(
            list(report.offence_counts.index), self.mapping.offence_classes
        )
        unclassified = [o for o, c in classes.items() if c is None]
        if unclassified:
            report = _with_issues(report, _unclassified_message(unclassified, report))
        unused = [c for c in self.raw.frame.columns if c not in set(fields.values())]
        if unused:
            shown = ", ".join(unused[:8]) + (" ..." if len(unused) > 8 else "")
            report = _with_readings(
                report,
                Message("ingest.reading.unused_columns", {"n": len(unused), "columns": shown}),
            )
        return IngestResult(
            incidents=incidents,
            rejects=rejects,
            report=report,
            mapping=self.mapping,
            offence_classes=classes,
        )

    def _districts(
        self,
        pick: Callable[[pa.Array], pa.Array],
        kept: np.ndarray | None,
        lat: np.ndarray,
        lon: np.ndarray,
        geolocated: np.ndarray,
    ) -> pa.Array | pd.Categorical:
        fields = self.mapping.fields
        if "district" in self.cols:
            self.readings.append(
                Message("ingest.reading.district_column", {"column": fields["district"]})
            )
            if self.district_codes is not None:  # encoded beside the steps before
                return kept_codes(self.district_codes.result(), kept)
            values = pick(self.cols["district"])  # the kept rows'
            known = pa.array(sorted(set(self.districts["district"].astype(str))), pa.large_string())
            named = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            is_known = pc.fill_null(pc.is_in(values, known), False)
            unknown = named & ~np.asarray(is_known.to_numpy(zero_copy_only=False), dtype=bool)
            if unknown.any():
                counts = pd.Series(as_numpy_str(values.filter(pa.array(unknown)))).value_counts()
                examples = ", ".join(str(v) for v in counts.index[:_EXAMPLES])
                self.issues.append(
                    Message(
                        "ingest.issue.unknown_districts",
                        {"n": int(unknown.sum()), "k": len(counts), "examples": examples},
                    )
                )
            fill = ~named & geolocated
            if not fill.any():
                return values
            out = as_numpy_str(values)
            found = geo.assign_districts(lat[fill], lon[fill], self.districts).to_numpy()
            out[np.flatnonzero(fill)] = found
            n_found = int(pd.notna(found).sum())
            if n_found:
                self.readings.append(Message("ingest.reading.district_filled", {"n": n_found}))
            return pa.array(out, pa.large_string(), from_pandas=True)
        out = np.full(len(lat), None, dtype=object)
        if self.districts is not None and geolocated.any():
            idx = np.flatnonzero(geolocated)
            found = geo.assign_districts(lat[idx], lon[idx], self.districts).to_numpy()
            out[idx] = found
            self.readings.append(
                Message("ingest.reading.district_located", {"n": int(pd.notna(found).sum())})
            )
            outside = int(pd.isna(found).sum())
            if outside:
                self.issues.append(Message("ingest.issue.outside_every_district", {"n": outside}))
        return pa.array(out, pa.large_string(), from_pandas=True)

    def _rejects(self, bad_mask: np.ndarray) -> pd.DataFrame:
        frame = self.raw.frame
        bad = np.flatnonzero(bad_mask)
        codes = self.flags.code[bad]
        labels = self.flags.labels
        reasons = np.array([lab[0] for lab in labels], dtype=object)[codes]
        where = np.array([lab[1] for lab in labels], dtype=object)[codes]
        expected = np.array([lab[2] for lab in labels], dtype=object)[codes]
        # the rejected rows' cells, column by column, kept by a mask: Arrow filters the
        # reader's blocks one by one (taking rows from 863 blocks took 0.3 s at 10M rows)
        rejected = pa.array(bad_mask)
        source = {c: as_numpy_str(arrow_column(frame, c).filter(rejected)) for c in frame.columns}
        value = np.full(len(bad), None, dtype=object)
        for column in pd.unique(where[pd.notna(where)]):
            sel = where == column
            value[sel] = source[column][sel]
        extra = reasons == "row_extra_cells"
        if extra.any():
            value[extra] = [self.raw.extra_cells.get(int(r)) for r in self.rows[bad[extra]]]
        out = pd.DataFrame(
            {
                "row_number": self.rows[bad],
                "reason": pd.array(reasons, dtype="str"),
                "column": pd.array(where, dtype="str"),
                "value": pd.array(value, dtype="str"),
                "expected": pd.array(expected, dtype="str"),
            }
        )
        # the row's own cells beside the reason, all columns in one frame: inserting
        # them one by one was quadratic (10,000 columns x 100 rows: over a minute)
        names = unique_names([*REJECT_COLUMNS, *source])[len(REJECT_COLUMNS) :]
        cells = pd.DataFrame(
            {
                name: pd.array(source[column], dtype="str")
                for name, column in zip(names, source, strict=True)
            },
            index=out.index,
        )
        return pd.concat([out, cells], axis=1)

    def _report(
        self, incidents: pd.DataFrame, rejects: pd.DataFrame, dup_id: int, dup_event: int
    ) -> QualityReport:
        when = incidents["occurred_at"]
        period = None
        if when.notna().any():
            period = (when.min().date(), when.max().date())
        located = coverage.location_coverage(incidents)  # the numbers every page quotes
        offence = incidents["offence"].array
        offence_counts = _code_counts(
            np.bincount(offence.codes[offence.codes >= 0], minlength=len(offence.categories)),
            offence.categories,
            "offence",
        )
        reject_counts = _counts(rejects["reason"], "reason")
        issues = [
            Message(f"ingest.issue.rejected_{code}", {"n": int(count)})
            for code, count in reject_counts.items()
        ]
        if self.raw.padded_rows:
            issues.append(Message("ingest.issue.padded_rows", {"n": self.raw.padded_rows}))
        issues.extend(self.issues)
        if dup_id:
            issues.append(Message("ingest.issue.duplicates_id", {"n": dup_id}))
        if dup_event:
            issues.append(Message("ingest.issue.duplicates_event", {"n": dup_event}))
        district_only, no_location = located.district_only, located.no_location
        if district_only and self.placed:
            issues.append(Message("ingest.issue.district_only", {"n": district_only}))
        if no_location:
            issues.append(Message("ingest.issue.no_location", {"n": no_location}))
        return QualityReport(
            rows_read=self.n,
            accepted=len(incidents),
            rejected=len(rejects),
            period=period,
            geolocated=located.geolocated,
            district_only=district_only,
            offence_counts=offence_counts,
            reject_counts=reject_counts,
            duplicates_id=dup_id,
            duplicates_event=dup_event,
            readings=tuple(self.readings),
            issues=tuple(issues),
            no_location=no_location,
        )


def _with_readings(report: QualityReport, *extra: Message) -> QualityReport:
    return replace(report, readings=report.readings + extra)


def _with_issues(report: QualityReport, *extra: Message) -> QualityReport:
    return replace(report, issues=report.issues + extra)


def _unclassified_message(labels: list[str], report: QualityReport) -> Message:
    """The issue naming the offence labels without a class (they have no harm weight)."""
    n_rows = int(report.offence_counts.reindex(labels).fillna(0).sum())
    shown = ", ".join(labels[:_EXAMPLES]) + (" ..." if len(labels) > _EXAMPLES else "")
    return Message(
        "ingest.issue.offences_unclassified", {"k": len(labels), "n": n_rows, "examples": shown}
    )


def _code_counts(counts: np.ndarray, labels: pd.Index, name: str) -> pd.Series:
    """Counts per label, most frequent first, labels with no row left out."""
    series = pd.Series(counts.astype("int64"), index=pd.Index(labels.astype(str), dtype="str"))
    return _counts_sorted(series[series > 0], name)


def _counts_sorted(counts: pd.Series, name: str) -> pd.Series:
    order = sorted(counts.index, key=lambda k: (-int(counts[k]), str(k)))
    out = counts.reindex(order).astype("int64")
    out.index = pd.Index([str(k) for k in order], name=name, dtype="str")
    return out.rename("count")


def _counts(values: pd.Series, name: str) -> pd.Series:
    counts = values.value_counts(sort=False)
    order = sorted(counts.index, key=lambda k: (-int(counts[k]), str(k)))
    out = counts.reindex(order).astype("int64")
    out.index = pd.Index([str(k) for k in order], name=name, dtype="str")
    return out.rename("count")


def _labels(plan: DatePlan) -> str | None:
    if plan.numeric == "excel_serial":
        return "Excel serial"
    if plan.numeric == "excel_time":
        return "Excel time"
    return " | ".join(f.label for f in plan.formats) or None


def _isnull(values: pa.Array) -> np.ndarray:
    return np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _boundaries_wgs84(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "district" not in districts.columns:
        raise IlpInputError("ingest.boundaries.no_district_column")
    if districts.crs is None:
        return districts.set_crs(geo.WGS84)
    return districts.to_crs(geo.WGS84)


# -- one entry point ----------------------------------------------------------------------


def load_incidents(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    *,
    mapping: ColumnMapping | None = None,
    districts: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    r"""Load an incident export in one call: read, map (suggested or given), build.

    What the sample region and scripted uses go through; the Data page does the
    same steps one by one so the analyst can check the mapping and answer questions.

    Parameters
    ----------
    source, filename
        As for :func:`read_table`.
    mapping
        The mapping to use; ``None`` to use :func:`suggest_mapping`.
    districts
        Optional boundaries (see :func:`build_incidents`).
    progress
        As for :func:`build_incidents`, with a first step ``reading`` (reading
        the file counts for the first fifth of the bar).

    Returns
    -------
    IngestResult

    Raises
    ------
    IlpInputError
        When the file cannot be read, no column can be used, or the mapping is
        incomplete or has an open question. Nothing is loaded then.

    Examples
    --------
    >>> r = load_incidents(b"occurred_at,offence\n2024-03-18 23:45,Theft\n", "a.csv")
    >>> r.report.rows_read, r.report.accepted, str(r.incidents.loc[0, "occurred_at"])
    (1, 1, '2024-03-18 23:45:00')
    """
    _step(progress, 0.0, "reading")
    raw = read_table(source, filename)
    if mapping is None:
        mapping = suggest_mapping(list(raw.frame.columns))
        if not mapping.fields:
            shown = ", ".join(map(str, raw.frame.columns[:10]))
            raise IlpInputError(
                "ingest.no_usable_columns", columns=list(raw.frame.columns), names=shown
            )
    scaled = None if progress is None else lambda f, step: progress(0.2 + 0.8 * f, step)
    # handed over, not held here: the build lets go of the text it no longer needs
    read = [raw]
    del raw
    return build_incidents(read.pop(), mapping, districts=districts, progress=scaled)
