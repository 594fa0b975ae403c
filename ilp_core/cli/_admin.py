"""``ilp purge``, ``ilp audit`` and ``ilp users``: the administrator's jobs, each audited."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ilp_core.cli._common import USAGE, CliError, Context, Translate, writable, write_file
from ilp_core.errors import Message
from ilp_core.store import ROLES


def add_parsers(commands: argparse._SubParsersAction, t: Translate) -> None:
    """The ``purge``, ``audit`` and ``users`` commands' arguments."""
    p = commands.add_parser("purge", help=t("cli.purge.help"), description=t("cli.purge.help"))
    p.set_defaults(run=purge)
    p = commands.add_parser("audit", help=t("cli.audit.help"), description=t("cli.audit.help"))
    p.add_argument("--since", required=True, metavar="YYYY-MM-DD", help=t("cli.audit.since"))
    p.add_argument("--until", metavar="YYYY-MM-DD", help=t("cli.audit.until"))
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help=t("cli.out"))
    p.add_argument("--force", action="store_true", help=t("cli.force"))
    p.set_defaults(run=audit)
    p = commands.add_parser("users", help=t("cli.users.help"), description=t("cli.users.help"))
    actions = p.add_subparsers(dest="users_action", metavar="list|add|role", required=True)
    actions.add_parser("list", help=t("cli.users.list"))
    add = actions.add_parser("add", help=t("cli.users.add"))
    add.add_argument("subject", metavar="ID", help=t("cli.users.id"))
    add.add_argument("--name", default="", help=t("cli.users.name"))
    add.add_argument("--email", default="", help=t("cli.users.email"))
    add.add_argument(
        "--roles", default="", metavar="LIST", help=t("cli.users.roles", roles=", ".join(ROLES))
    )
    add.add_argument("--unit", help=t("cli.users.unit"))
    role = actions.add_parser("role", help=t("cli.users.role"))
    role.add_argument("subject", metavar="ID", help=t("cli.users.id"))
    role.add_argument(
        "--roles", required=True, metavar="LIST", help=t("cli.users.roles", roles=", ".join(ROLES))
    )
    role.add_argument("--unit", help=t("cli.users.unit"))
    p.set_defaults(run=users)


def purge(ctx: Context, args: argparse.Namespace) -> int:  # noqa: ARG001 (no options)
    """Remove the datasets past retention (or deleted) and expired rooms."""
    ctx.progress("cli.purge.running")
    done = ctx.store.purge(ctx.actor)
    ctx.say(ctx.t("cli.purge.done", datasets=len(done.datasets), rooms=len(done.rooms),
                  files=done.cache_files))  # fmt: skip
    return 0


def _day(text: str, name: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(USAGE, Message("cli.bad_date", {"name": name, "value": text})) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def audit(ctx: Context, args: argparse.Namespace) -> int:
    """Write the audit rows since a day (UTC) to a formula-safe CSV file."""
    since = _day(args.since, "--since")
    filters: dict[str, dt.datetime] = {"since": since}
    if args.until:
        filters["until"] = _day(args.until, "--until") + dt.timedelta(days=1)
    writable(args.out, args.force)
    data = ctx.store.audit_csv(ctx.actor, **filters)
    write_file(args.out, data, args.force)
    rows = max(data.count(b"\n") - 1, 0)  # an upper bound: a detail may hold a line break
    ctx.say(ctx.t("cli.audit.done", path=str(args.out), since=args.since, rows=rows))
    return 0


def _roles(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


def users(ctx: Context, args: argparse.Namespace) -> int:
    """List the users, register one, or change one's roles and unit."""
    if args.users_action == "list":
        frame = ctx.store.list_users(ctx.actor)
        for row in frame.itertuples(index=False):
            ctx.say("\t".join(str(v) if v is not None else "" for v in
                              (row.id, row.name, row.email, row.roles, row.unit)))  # fmt: skip
        return 0
    if args.users_action == "add":
        user = ctx.store.add_user(ctx.actor, args.subject, name=args.name, email=args.email,
                                  roles=_roles(args.roles), unit=args.unit)  # fmt: skip
    else:
        extra = {} if args.unit is None else {"unit": args.unit}
        user = ctx.store.set_user(ctx.actor, args.subject, roles=_roles(args.roles), **extra)
    ctx.say(ctx.t("cli.users.done", user=user.id, roles=", ".join(sorted(user.roles)) or "–",
                  unit=user.unit or "–"))  # fmt: skip
    return 0
