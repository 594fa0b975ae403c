"""``ilp sample``: regenerate the synthetic sample region (``data/sample/`` by default)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ilp_core.cli._common import Context, Translate, writable
from ilp_core.data import sample


def add_parser(commands: argparse._SubParsersAction, t: Translate) -> None:
    """The ``sample`` command's arguments."""
    p = commands.add_parser("sample", help=t("cli.sample.help"), description=t("cli.sample.help"))
    p.add_argument(
        "--out", type=Path, default=sample.SAMPLE_DIR, metavar="DIR", help=t("cli.sample.out")
    )
    p.add_argument(
        "--incidents", type=int, default=sample.DEFAULT_INCIDENTS, help=t("cli.sample.incidents")
    )
    p.add_argument("--seed", type=int, default=sample.SEED, help=t("cli.sample.seed"))
    p.add_argument("--force", action="store_true", help=t("cli.force"))
    p.set_defaults(run=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Generate the region and write its files (existing ones only with ``--force``)."""
    target = args.out / "incidents.csv"
    if args.out.is_dir():
        writable(target, args.force)
    else:
        args.out.mkdir(parents=True)
    ctx.progress("cli.sample.generating", n=args.incidents)
    region = sample.generate(args.incidents, args.seed)
    sample.write(region, args.out)
    ctx.say(ctx.t("cli.sample.done", n=len(region.incidents), path=str(args.out)))
    return 0
