"""``ilp report``: the strategic assessment of a stored dataset, as the Report page builds it."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilp_core import checks
from ilp_core.cli._common import (
    NOT_ALLOWED,
    USAGE,
    CliError,
    Context,
    Translate,
    find_dataset,
    read_input,
    writable,
    write_file,
)
from ilp_core.errors import Message
from ilp_core.products import suppression

if TYPE_CHECKING:
    from ilp_core.data.dataset import Dataset
    from ilp_core.products import report, workspace

# The report's libraries (plotly, folium, ReportLab, matplotlib) are imported when a report
# is built, inside the functions below: a nightly load does not pay for them at start.

#: The named periods ``--period`` takes besides ``YYYY-MM-DD..YYYY-MM-DD``.
PERIODS = ("last-week", "last-month", "last-quarter", "last-year")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def add_parser(commands: argparse._SubParsersAction, t: Translate) -> None:
    """The ``report`` command's arguments."""
    p = commands.add_parser(
        "report", help=t("cli.report.help"), description=t("cli.report.description")
    )
    p.add_argument("--dataset", required=True, metavar="NAME", help=t("cli.report.dataset"))
    p.add_argument("--period", metavar="PERIOD", help=t("cli.report.period"))
    p.add_argument("--assessment", type=Path, metavar="FILE", help=t("cli.report.assessment"))
    p.add_argument("--format", choices=("html", "pdf"), default="html", help=t("cli.report.format"))
    p.add_argument("--wider-release", action="store_true", help=t("cli.report.wider"))
    p.add_argument("--k", type=int, default=suppression.DEFAULT_K, help=t("cli.report.k"))
    p.add_argument("--sections", metavar="LIST", help=t("cli.report.sections"))
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help=t("cli.out"))
    p.add_argument("--force", action="store_true", help=t("cli.force"))
    p.set_defaults(run=run)


def period(text: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``--period`` (named periods are the last complete ones).

    Examples
    --------
    >>> period("last-quarter", dt.date(2025, 2, 14))
    (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))
    >>> period("last-week", dt.date(2025, 2, 14))  # Monday to Sunday
    (datetime.date(2025, 2, 3), datetime.date(2025, 2, 9))
    >>> period("2024-01-01..2024-03-31", dt.date(2025, 2, 14))[1]
    datetime.date(2024, 3, 31)
    """
    if text == "last-week":
        end = today - dt.timedelta(days=today.weekday() + 1)
        return end - dt.timedelta(days=6), end
    if text == "last-month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if text == "last-quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        end = today.replace(month=first_month, day=1) - dt.timedelta(days=1)
        return end.replace(month=end.month - 2, day=1), end
    if text == "last-year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    found = _RANGE.match(text)
    try:
        start, end = (dt.date.fromisoformat(found[i]) for i in (1, 2)) if found else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None or end < start:
        raise CliError(
            USAGE, Message("cli.report.bad_period", {"value": text, "named": ", ".join(PERIODS)})
        )
    return start, end


def stored_dataset(ctx: Context, name: str) -> tuple[str, Dataset]:
    """The id and newest version of a stored dataset, with the classification it was loaded with."""
    dataset_id = find_dataset(ctx, name)
    if dataset_id is None:
        raise CliError(NOT_ALLOWED, Message("cli.no_dataset", {"name": name}))
    opened = ctx.store.open_dataset(ctx.actor, dataset_id)
    classes = opened.classification
    if classes is None:
        return dataset_id, opened.dataset
    # the stored fingerprint already covers the classification: it is kept as is
    return dataset_id, dataclasses.replace(opened.dataset, offence_classes=dict(classes))


def work_for(
    ctx: Context, data: Dataset, assessment: bytes | None, chosen: tuple[dt.date, dt.date] | None
) -> workspace.Workspace:
    """The work a report is built from: a saved session or a priority assessment, and the period.

    A saved session (the app's "save session" file) gives everything the page
    would; a saved priority assessment (YAML or JSON) gives the ranking, the
    other parts their pages' defaults. ``--period`` replaces the saved view's dates.
    """
    from ilp_core.decide import priorities
    from ilp_core.products import workspace

    kind = _kind(assessment) if assessment is not None else None
    if kind == workspace.FORMAT_NAME:
        loaded: Any = workspace.from_json(assessment or b"", fingerprint=data.fingerprint)
        work = loaded.workspace
    else:
        spec = None
        if assessment is not None:
            loaded = priorities.load_assessment(assessment, fingerprint=data.fingerprint)
            spec = loaded.assessment
        work = workspace.make_workspace(fingerprint=data.fingerprint, dataset=data.name,
                                        priority=spec)  # fmt: skip
    if assessment is not None:
        for warning in loaded.warnings:
            print(warning.render(ctx.lang), file=ctx.err)
    if chosen is not None:
        view = {**work.view, "start": chosen[0].isoformat(), "end": chosen[1].isoformat()}
        work = dataclasses.replace(work, view=view)
    return work


def _kind(source: bytes) -> str | None:
    try:
        document = checks.json_document(source.decode("utf-8-sig"), yaml_too=True)
    except (UnicodeDecodeError, ValueError):
        return None  # the assessment reader says what is wrong with it
    return document.get("format") if isinstance(document, dict) else None


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Build the report and write it (HTML or PDF) to ``--out``; audited as an export."""
    from ilp_core.products import report

    writable(args.out, args.force)  # before the work, not after it
    chosen = None if args.period is None else period(args.period, dt.date.today())
    sections = report.SECTIONS
    if args.sections:
        sections = tuple(s.strip() for s in args.sections.split(",") if s.strip())
    assessment = None if args.assessment is None else read_input(args.assessment)
    ctx.progress("cli.report.opening", name=args.dataset)
    dataset_id, data = stored_dataset(ctx, args.dataset)
    work = work_for(ctx, data, assessment, chosen)
    ctx.progress("cli.report.building")
    content = build(
        data, work, lang=ctx.lang, sections=sections, wider=args.wider_release, k=args.k
    )
    ctx.progress("cli.report.rendering", format=args.format.upper())
    body: bytes | str = report.to_html(content) if args.format == "html" else report.to_pdf(content)
    write_file(args.out, body, args.force)
    ctx.store.audit_event(
        ctx.actor,
        "export",
        "dataset",
        dataset_id,
        {"product": "report", "format": args.format, "wider_release": content.wider_release,
         "lang": ctx.lang, "fingerprint": data.fingerprint},
    )  # fmt: skip
    for finding in content.findings:
        ctx.say(f"- {finding}")
    ctx.say(ctx.t("cli.report.done", path=str(args.out)))
    return 0


def build(
    data: Dataset,
    work: workspace.Workspace,
    *,
    lang: str,
    sections: tuple[str, ...] | list[str],
    wider: bool,
    k: int,
) -> report.Report:
    """The report exactly as the Report page asks the library for it (its options, its order)."""
    from ilp_core.products import report

    chosen = [s for s in report.SECTIONS if s in sections]
    for name in sections:  # an unknown section is named, with the known ones
        checks.option("sections", name, report.SECTIONS)
    return report.build_report(data, work, lang=lang, sections=chosen, wider_release=wider, k=k)
