"""``ilp load``: an export and a saved mapping in, a new version of a dataset in the store."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ilp_core import i18n
from ilp_core.cli._common import (
    NEEDS_DECISION,
    CliError,
    Context,
    Translate,
    find_dataset,
    read_input,
    readable,
)
from ilp_core.data import ingest, privacy
from ilp_core.data.dataset import Dataset
from ilp_core.errors import Message

#: Offence labels named in a message before "and N more".
_SHOWN = 10
#: Questions that stop a load (a swap of latitude and longitude is advice: the report repeats it).
_BLOCKING = ("date_order", "epsg")


def add_parser(commands: argparse._SubParsersAction, t: Translate) -> None:
    """The ``load`` command's arguments."""
    p = commands.add_parser("load", help=t("cli.load.help"), description=t("cli.load.description"))
    p.add_argument("file", type=Path, metavar="FILE", help=t("cli.load.file"))
    p.add_argument(
        "--mapping", type=Path, required=True, metavar="JSON", help=t("cli.load.mapping")
    )
    p.add_argument("--dataset", metavar="NAME", help=t("cli.load.dataset"))
    p.add_argument("--districts", type=Path, metavar="FILE", help=t("cli.load.districts"))
    p.add_argument(
        "--allow-unclassified", action="store_true", help=t("cli.load.allow_unclassified")
    )
    p.set_defaults(run=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Read, check, build and store one export; print its quality report."""
    mapping = ingest.ColumnMapping.from_json(read_input(args.mapping))
    ctx.progress("cli.load.reading", path=str(args.file))
    raw = ingest.read_table(readable(args.file))  # read from the path: memory follows content
    raw, actions = _protect(raw, mapping)
    districts = None
    if args.districts is not None:
        districts = ingest.load_boundaries(read_input(args.districts), args.districts.name)
    open_questions = [
        q for q in ingest.questions(raw, mapping, districts=districts) if q.key in _BLOCKING
    ]
    if open_questions:
        raise CliError(
            NEEDS_DECISION,
            *(
                Message(
                    "cli.load.question",
                    {"question": q.message.render(ctx.lang), "options": ", ".join(q.options)},
                )
                for q in open_questions
            ),
            Message("cli.load.answer_in_app"),
        )
    ctx.progress("cli.load.building", rows=len(raw.frame))
    result = ingest.build_incidents(raw, mapping, districts=districts)
    unclassified = _unclassified(result)
    if unclassified and not args.allow_unclassified:
        raise CliError(NEEDS_DECISION, *_unclassified_messages(unclassified))
    name = args.dataset or args.file.name
    data = Dataset(
        name=name,
        incidents=result.incidents,
        districts=districts,
        report=result.report,
        rejects=result.rejects,
        offence_classes=result.offence_classes,
    )
    ctx.progress("cli.load.storing")
    version = ctx.store.save_dataset(
        ctx.actor,
        data,
        dataset_id=find_dataset(ctx, name),
        mapping=result.mapping,
        classification=dict(result.offence_classes),
        privacy_actions=actions,
    )
    for line in quality_lines(result.report, ctx.lang):
        ctx.say(line)
    if unclassified:
        for message in _unclassified_messages(unclassified):
            ctx.say(message.render(ctx.lang))
    ctx.say(
        ctx.t(
            "cli.load.done",
            name=name,
            version=version.number,
            id=version.dataset_id,
            rows=version.rows,
            rejects=version.rejects,
        )
    )
    return 0


def _protect(
    raw: ingest.RawTable, mapping: ingest.ColumnMapping
) -> tuple[ingest.RawTable, tuple[str, ...]]:
    """Personal columns as the Data page suggests: dropped, or pseudonymised when mapped.

    The key is new for each run and never stored, as in the app: pseudonyms link rows
    within one load only.
    """
    found = privacy.detect_personal_columns(raw.frame)
    if not found:
        return raw, ()
    mapped = set(mapping.fields.values())
    decisions = {
        c.name: ("pseudonymise" if c.suggested == "drop" and c.name in mapped else c.suggested)
        for c in found
    }
    protected = privacy.protect(raw.frame, decisions, privacy.new_key())
    return dataclasses.replace(raw, frame=protected.frame), protected.codes


def _unclassified(result: ingest.IngestResult) -> list[tuple[str, int]]:
    """Offence labels of the accepted incidents without an ICCS class, with their rows."""
    classes = result.offence_classes or {}
    counts = result.report.offence_counts
    return [(str(label), int(n)) for label, n in counts.items() if not classes.get(str(label))]


def _unclassified_messages(labels: list[tuple[str, int]]) -> list[Message]:
    shown = "; ".join(f"{label} ({n})" for label, n in labels[:_SHOWN])
    more = len(labels) - _SHOWN
    return [
        Message("cli.load.unclassified", {"n": len(labels), "labels": shown}),
        *([Message("cli.load.more_labels", {"n": more})] if more > 0 else []),
        Message("cli.load.classify_in_app"),
    ]


def quality_lines(report: ingest.QualityReport, lang: str) -> list[str]:
    """The quality report as plain lines, in ``lang`` (what the Data page shows)."""
    t = i18n.t
    lines = [
        t("cli.quality.counts", lang, read=report.rows_read, accepted=report.accepted,
          rejected=report.rejected),
        t("cli.quality.located", lang, geolocated=report.geolocated,
          district_only=report.district_only, none=report.no_location),
    ]  # fmt: skip
    if report.period:
        lines.append(t("cli.quality.period", lang, start=report.period[0], end=report.period[1]))
    for code, n in report.reject_counts.items():
        reason = ingest.reject_reason(str(code)).render(lang)
        lines.append(t("cli.quality.reject", lang, n=int(n), reason=reason))
    lines += [t("cli.quality.reading", lang, text=m.render(lang)) for m in report.readings]
    lines += [t("cli.quality.issue", lang, text=m.render(lang)) for m in report.issues]
    return lines
