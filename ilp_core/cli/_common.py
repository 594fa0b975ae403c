"""What every command shares: exit codes, language, the store and its actor, output files."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn, TextIO

from ilp_core import i18n
from ilp_core.errors import IlpInputError, Message
from ilp_core.store import Actor, Store, open_store

#: The exit codes of every command (documented in ``ilp --help``).
OK: Final[int] = 0
USAGE: Final[int] = 1
NEEDS_DECISION: Final[int] = 2
REFUSED: Final[int] = 3
NOT_ALLOWED: Final[int] = 4
WOULD_OVERWRITE: Final[int] = 5
EXIT_CODES: Final[dict[int, str]] = {
    OK: "cli.exit.ok",
    USAGE: "cli.exit.usage",
    NEEDS_DECISION: "cli.exit.decision",
    REFUSED: "cli.exit.refused",
    NOT_ALLOWED: "cli.exit.not_allowed",
    WOULD_OVERWRITE: "cli.exit.overwrite",
}
#: Errors of the library that mean "not found or not allowed" rather than bad input.
_NOT_ALLOWED_KEYS: Final[tuple[str, ...]] = (
    "store.not_found",
    "store.forbidden",
    "store.unreachable",
)
#: Environment variables the command reads besides the store's.
LANG_ENV: Final[str] = "ILP_LANG"
USER_ENV: Final[str] = "ILP_USER"
#: A catalog lookup in the user's language (``t("cli.load.help")``).
Translate = Callable[..., str]


class CliError(Exception):
    """A command's end with a translatable message and its exit code (never a traceback)."""

    def __init__(self, code: int, *messages: Message) -> None:
        self.code = code
        self.messages = messages
        super().__init__(", ".join(m.key for m in messages))


def exit_code_of(error: IlpInputError) -> int:
    """The exit code of a library error: 2 for an open question, 4 not found/forbidden, else 3."""
    key = error.message.key
    if key.startswith("ingest.open_question."):
        return NEEDS_DECISION
    if key in _NOT_ALLOWED_KEYS or key.startswith("store.not_found"):
        return NOT_ALLOWED
    return REFUSED


def language(argv: Sequence[str], environ: os._Environ[str] | dict[str, str]) -> str:
    """The user's language before the parser is built, so that its help is translated too.

    ``--lang xx`` (or ``--lang=xx``) first, then ``ILP_LANG``, then the locale's
    ``LC_ALL``/``LC_MESSAGES``/``LANG`` (``ru_RU.UTF-8`` gives ``ru``), else English.

    Examples
    --------
    >>> language(["load", "--lang", "fr"], {}), language([], {"LANG": "es_ES.UTF-8"})
    ('fr', 'es')
    """
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    for name in (LANG_ENV, "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")[:2].lower()
        if value in i18n.LANGUAGES:
            return value
    return i18n.DEFAULT_LANGUAGE


#: argparse's own messages (Python 3.11), each with the catalog key that says it.
_ARGPARSE: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.S), key)
    for pattern, key in (
        (r"invalid choice: (?P<value>.+) \(choose from (?P<choices>.+)\)", "cli.arg.bad_choice"),
        (r"invalid (?P<type>\w+) value: (?P<value>.+)", "cli.arg.invalid_value"),
        (r"expected one argument", "cli.arg.expected_one"),
        (r"expected at most one argument", "cli.arg.expected_at_most_one"),
        (r"expected at least one argument", "cli.arg.expected_at_least_one"),
        (r"not allowed with argument (?P<other>.+)", "cli.arg.not_allowed_with"),
        (r"ignored explicit argument (?P<value>.+)", "cli.arg.ignored_explicit"),
        (r"unrecognized arguments: (?P<arguments>.+)", "cli.arg.unrecognized"),
        (r"the following arguments are required: (?P<arguments>.+)", "cli.arg.required"),
        (r"one of the arguments (?P<arguments>.+) is required", "cli.arg.one_required"),
        (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "cli.arg.ambiguous"),
    )
)
_ARGUMENT: Final[re.Pattern[str]] = re.compile(r"argument (?P<argument>[^:]+): (?P<inner>.+)", re.S)


def usage_detail(message: str, lang: str) -> str:
    """The English message of argparse about a wrong call, said in ``lang`` (as is when unknown).

    Examples
    --------
    >>> usage_detail("argument --k: invalid int value: 'five'", "fr")
    "--k : « five » n'est pas un nombre entier"
    >>> usage_detail("the following arguments are required: --dataset, --out", "ru")
    'не указаны обязательные параметры: --dataset, --out'
    """
    found = _ARGUMENT.fullmatch(message)
    if found:
        inner = usage_detail(found["inner"], lang)
        return i18n.t("cli.arg.argument", lang, argument=found["argument"], message=inner)
    for pattern, key in _ARGPARSE:
        matched = pattern.fullmatch(message)
        if matched:
            params = {k: _unquoted(v) for k, v in matched.groupdict().items()}
            if "type" in params:
                kind = f"cli.arg.type.{params['type']}"
                known = kind in i18n.catalog(lang)
                params["type"] = i18n.t(kind, lang) if known else params["type"]
            return i18n.t(key, lang, **params)
    return message


def _unquoted(text: str) -> str:
    """Values as argparse quotes them, without the quotes (``'html', 'pdf'``: ``html, pdf``)."""
    return re.sub(r"'([^']*)'", r"\1", text)


class Parser(argparse.ArgumentParser):
    """``argparse`` whose usage errors exit with code 1 (2 means "needs a decision" here).

    Built without argparse's English ``-h``: the command adds a translated one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.lang = i18n.DEFAULT_LANGUAGE  # the command sets the user's

    def error(self, message: str) -> NoReturn:
        """Print the usage and the problem (argparse's words after ours), exit 1."""
        self.print_usage(sys.stderr)
        lang = self.lang
        said = i18n.t("cli.usage_error", lang, prog=self.prog, detail=usage_detail(message, lang))
        self.exit(USAGE, f"{i18n.t('cli.error', lang)} {said}\n")


class Context:
    """One run of a command: its language, its output streams and, on demand, the store."""

    def __init__(self, lang: str, out: TextIO, err: TextIO, user: str | None) -> None:
        self.lang = lang
        self.out = out
        self.err = err
        self.user = user
        self._store: Store | None = None
        self._actor: Actor | None = None
        self._started = time.perf_counter()

    def t(self, key: str, **params: Any) -> str:
        """A catalog string in the user's language."""
        return i18n.t(key, self.lang, **params)

    def say(self, text: str) -> None:
        """A result line on stdout (what a job's log keeps)."""
        print(text, file=self.out)

    def progress(self, key: str, **params: Any) -> None:
        """A progress line on stderr, with the seconds since the command started."""
        seconds = time.perf_counter() - self._started
        stamp = i18n.number(seconds, self.lang, 1)
        print(f"[{stamp} s] {self.t(key, **params)}", file=self.err, flush=True)

    @property
    def store(self) -> Store:
        """The workspace store of the environment (``ILP_DATABASE_URL`` / ``ILP_DATA_DIR``)."""
        if self._store is None:
            self._store = open_store()
        return self._store

    @property
    def actor(self) -> Actor:
        """Who acts: ``--user``/``ILP_USER`` as the store knows them, else the local user.

        A user the store does not know is refused (exit 4): a scheduled job acts for a
        person with the roles an administrator gave them, or as the single local user
        of an installation without login, like the app.
        """
        if self._actor is None:
            if self.user:
                found = self.store.get_user(Actor.system(), self.user)
                if found is None:
                    raise CliError(NOT_ALLOWED, Message("cli.unknown_user", {"user": self.user}))
                self._actor = found.actor()
            else:
                self._actor = Actor.local()
        return self._actor

    def close(self) -> None:
        """Close the store's connections, if it was opened."""
        if self._store is not None:
            self._store.close()


def writable(path: Path, force: bool) -> Path:
    """``path`` when it may be written: refused (exit 5) when it exists and ``force`` is off."""
    if path.exists() and not force:
        raise CliError(WOULD_OVERWRITE, Message("cli.would_overwrite", {"path": str(path)}))
    if path.exists() and path.is_dir():
        raise CliError(REFUSED, Message("cli.is_folder", {"path": str(path)}))
    if not path.parent.is_dir():
        raise CliError(NOT_ALLOWED, Message("cli.no_folder", {"path": str(path.parent)}))
    return path


def write_file(path: Path, data: bytes | str, force: bool) -> None:
    """Write ``data`` to ``path`` at once (a temporary file renamed): never half a file."""
    writable(path, force)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file (mkstemp gives 0600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def readable(path: Path) -> Path:
    """A file given on the command line, or exit 4 naming it when it cannot be read."""
    if not path.exists():
        raise CliError(NOT_ALLOWED, Message("cli.no_file", {"path": str(path)}))
    if not path.is_file() or not os.access(path, os.R_OK):
        raise CliError(NOT_ALLOWED, Message("cli.unreadable", {"path": str(path)}))
    return path


def read_input(path: Path) -> bytes:
    """The content of a small file given on the command line (a mapping, an assessment)."""
    return readable(path).read_bytes()


def find_dataset(ctx: Context, name: str) -> str | None:
    """The id of the dataset called ``name`` (or with that id) that the actor sees, or None.

    Two visible datasets of that name are ambiguous: exit 4 naming their ids.
    """
    found = [d for d in ctx.store.list_datasets(ctx.actor) if name in (d.id, d.name)]
    if len(found) > 1:
        ids = ", ".join(d.id for d in found)
        raise CliError(NOT_ALLOWED, Message("cli.ambiguous_dataset", {"name": name, "ids": ids}))
    return found[0].id if found else None
