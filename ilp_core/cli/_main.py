"""The parser of every command (help in the user's language) and the one place errors end."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ilp_core import i18n
from ilp_core.cli import _admin, _load, _report, _sample
from ilp_core.cli._common import (
    EXIT_CODES,
    LANG_ENV,
    USER_ENV,
    CliError,
    Context,
    Parser,
    exit_code_of,
    language,
)
from ilp_core.errors import IlpInputError


def _formatter(lang: str) -> type[argparse.HelpFormatter]:
    class Formatter(argparse.RawDescriptionHelpFormatter):
        def add_usage(self, usage: str | None, actions: Sequence[argparse.Action],
                      groups: Sequence[argparse._MutuallyExclusiveGroup],
                      prefix: str | None = None) -> None:  # fmt: skip
            if prefix is None:
                prefix = i18n.t("cli.usage", lang) + " "
            super().add_usage(usage, actions, groups, prefix)

    return Formatter


def _translate(p: argparse.ArgumentParser, lang: str, top: bool = False) -> None:
    """Translate argparse's own words (section titles, ``-h``) and add ``--lang``/``--user``."""
    p.formatter_class = _formatter(lang)
    if isinstance(p, Parser):
        p.lang = lang
    p._positionals.title = i18n.t("cli.positionals", lang)
    p._optionals.title = i18n.t("cli.options", lang)
    p.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                   help=i18n.t("cli.help", lang))  # fmt: skip
    default = None if top else argparse.SUPPRESS  # a subcommand's value wins only when given
    p.add_argument("--lang", choices=tuple(i18n.LANGUAGES), default=default,
                   help=i18n.t("cli.lang", lang, env=LANG_ENV))  # fmt: skip
    p.add_argument("--user", metavar="ID", default=default,
                   help=i18n.t("cli.user", lang, env=USER_ENV))  # fmt: skip


def parser(lang: str = i18n.DEFAULT_LANGUAGE) -> argparse.ArgumentParser:
    """The ``ilp`` parser with every help text in ``lang``."""

    def tr(key: str, **params: object) -> str:
        return i18n.t(key, lang, **params)

    codes = "\n".join(f"  {code}  {i18n.t(key, lang)}" for code, key in EXIT_CODES.items())
    top = Parser(
        prog="ilp",
        description=tr("cli.description"),
        epilog=f"{tr('cli.exit_title')}\n{codes}\n\n{tr('cli.environment')}",
        add_help=False,
    )
    _translate(top, lang, top=True)
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                  parser_class=Parser, title=tr("cli.commands"))  # fmt: skip
    _load.add_parser(commands, tr)
    _report.add_parser(commands, tr)
    _admin.add_parsers(commands, tr)
    _sample.add_parser(commands, tr)
    for sub in commands.choices.values():
        sub.epilog = top.epilog
        _translate(sub, lang)
        for action in sub._subparsers._group_actions if sub._subparsers else ():
            for nested in getattr(action, "choices", {}).values():
                _translate(nested, lang)
    return top


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one ``ilp`` command; return its exit code (see the package's notes).

    Examples
    --------
    >>> import io
    >>> err = io.StringIO()
    >>> main(["report", "--dataset", "North", "--period", "q3", "--out", "/tmp/q3.html",
    ...       "--lang", "en"], err=err)
    1
    >>> err.getvalue()[:33]
    'Error: "q3" is not a period: use '
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    lang = language(argv, os.environ)
    args = parser(lang).parse_args(argv)
    lang = args.lang or lang
    ctx = Context(lang, out, err, args.user or os.environ.get(USER_ENV) or None)
    try:
        return int(args.run(ctx, args))
    except CliError as error:
        for message in error.messages:
            print(f"{i18n.t('cli.error', lang)} {message.render(lang)}", file=err)
        return error.code
    except IlpInputError as error:
        print(f"{i18n.t('cli.error', lang)} {error.render(lang)}", file=err)
        return exit_code_of(error)
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted", lang), file=err)
        return 130
    finally:
        ctx.close()
