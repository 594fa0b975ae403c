"""The report's first section: the dataset, its period and filters, its quality and its offences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ilp_core.errors import IlpInputError, Message
from ilp_core.products import suppression
from ilp_core.products.report._analyses import _Analyses
from ilp_core.products.report._content import Block, Section, Text
from ilp_core.products.report._format import _count_column, _Fmt, _suppression_note, _table


def _data_section(a: _Analyses, fmt: _Fmt) -> Section:
    """The data: name, period, filters, privacy actions, quality, rejects and offence counts."""
    data = a.data
    blocks: list[Block] = []
    name = fmt.dataset(data)
    blocks.append(Text(fmt.t("report.data.dataset", name=name, fingerprint=data.fingerprint)))
    if a.period is not None:
        blocks.append(
            Text(
                fmt.t("report.data.period", start=fmt.date(a.period[0]), end=fmt.date(a.period[1]))
            )
        )
    chosen = [fmt.term(o) for o in a.offences]
    blocks.append(
        Text(
            fmt.t("report.data.offences", offences=fmt.names(chosen))
            if chosen
            else fmt.t("report.data.all_offences")
        )
    )
    blocks.append(Text(fmt.t("report.data.in_view", n=fmt.total(len(a.incidents)))))
    if a.work.privacy_actions:
        from ilp_core.data import privacy

        blocks.append(Text(fmt.t("report.data.privacy")))
        for code in a.work.privacy_actions:
            try:
                blocks.append(Text(privacy.describe_action(code, fmt.lang), "bullet"))
            except IlpInputError as error:
                blocks.append(Text(error.render(fmt.lang), "warning"))
    report = data.report
    if report is None:
        blocks.append(Text(fmt.t("report.data.no_quality"), "note"))
    else:
        metrics = [
            ("rows_read", report.rows_read),
            ("accepted", report.accepted),
            ("rejected", report.rejected),
            ("geolocated", report.geolocated),
            ("district_only", report.district_only),
            ("no_location", report.no_location),
            ("duplicates_id", report.duplicates_id),
            ("duplicates_event", report.duplicates_event),
        ]
        frame = pd.DataFrame(
            {
                "measure": [m for m, _ in metrics],
                "value": [
                    float(v) if not fmt.wider or not 0 < v < fmt.k else math.nan for _, v in metrics
                ],
            }
        )
        if fmt.wider:
            frame["value"] = [
                float(suppression.round_count(v)) if np.isfinite(v) else v for v in frame["value"]
            ]
        blocks.append(
            _table(
                "quality",
                fmt.t("report.data.quality_title"),
                [
                    (
                        fmt.t("report.col.measure"),
                        "text",
                        [fmt.t(f"report.quality.{m}") for m, _ in metrics],
                    ),
                    (fmt.t("report.col.value"), "count", [fmt.total(v) for _, v in metrics]),
                ],
                frame,
                fmt.t("report.data.quality_note_rounded") if fmt.wider else "",
            )
        )
        if report.period:
            blocks.append(
                Text(
                    fmt.t(
                        "report.data.file_period",
                        start=fmt.date(report.period[0]),
                        end=fmt.date(report.period[1]),
                    )
                )
            )
        for message in (*report.readings, *report.issues):
            blocks.append(Text(_released(message, data.name, fmt).render(fmt.lang), "bullet"))
        rejects = report.reject_counts
        if len(rejects):
            from ilp_core.data.ingest import reject_reason

            cells, hidden = _count_column(rejects.to_numpy(), list(rejects.index), fmt)
            frame = pd.DataFrame(
                {"reason": [str(r) for r in rejects.index], "rows": rejects.to_numpy(dtype=float)}
            )
            frame.loc[hidden, "rows"] = np.nan
            blocks.append(
                _table(
                    "rejects",
                    fmt.t("report.data.rejects_title"),
                    [
                        (
                            fmt.t("report.col.reason"),
                            "text",
                            [reject_reason(str(r)).render(fmt.lang) for r in rejects.index],
                        ),
                        (fmt.t("report.col.rows"), "count", cells),
                    ],
                    frame,
                )
            )
    counts = a.incidents["offence"].astype("str").value_counts()
    counts = counts[counts > 0]
    cells, hidden = _count_column(counts.to_numpy(), list(counts.index), fmt)
    total = float(counts.sum())
    shares = [
        "–" if h else fmt.pct(v / total if total else math.nan, 1)
        for v, h in zip(counts.to_numpy(), hidden, strict=True)
    ]
    frame = pd.DataFrame(
        {"offence": counts.index.astype(str), "incidents": counts.to_numpy(dtype=float)}
    )
    frame.loc[hidden, "incidents"] = np.nan
    blocks.append(
        _table(
            "offence_counts",
            fmt.t("report.data.offences_title"),
            [
                (fmt.t("report.col.offence"), "text", [fmt.term(o) for o in counts.index]),
                (fmt.t("report.col.incidents"), "count", cells),
                (fmt.t("report.col.share"), "number", shares),
            ],
            frame,
            _suppression_note(hidden, fmt),
        )
    )
    return Section("data", fmt.t("report.section.data"), tuple(blocks))


def _released(message: Message, file_name: str, fmt: _Fmt) -> Message:
    """A reading of the file as a report may publish it.

    For wider release: without the file's name, and with its row counts rounded (an
    exact count is a margin that gives a suppressed cell back).
    """
    if not fmt.wider:
        return message
    params = {
        key: fmt.dataset_label
        if value == file_name
        else fmt.total(value)
        if isinstance(value, int | np.integer) and not isinstance(value, bool)
        else value
        for key, value in message.params.items()
    }
    return Message(message.key, params)
