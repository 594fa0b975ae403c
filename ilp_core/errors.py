"""The project's exception for bad user input, translatable messages, and a user's cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ilp_core import i18n

#: How the messages of one catalog domain show their parameters in a language
#: (``priorities``: a criterion key as its label), registered by the package that
#: owns the domain with :func:`translates_params`.
ParamTranslator = Callable[[dict[str, Any], str], dict[str, Any]]
_TRANSLATORS: dict[str, ParamTranslator] = {}


def translates_params(domain: str) -> Callable[[ParamTranslator], ParamTranslator]:
    """Register how messages of ``domain`` (the catalog key's first part) translate parameters.

    A message carries stable values (``criterion="vulnerability"``, ``scheme="eu4x4"``);
    the owning package says once how people read them in each language, so every
    page, report and command renders the message the same way with
    :meth:`Message.render`.
    """

    def register(func: ParamTranslator) -> ParamTranslator:
        _TRANSLATORS[domain] = func
        return func

    return register


@dataclass(frozen=True)
class Message:
    """A user-facing sentence as a catalog key plus its parameters.

    The library returns messages, never finished text, so a page can show them in
    the user's language: ``Message("ingest.empty_file").render("ru")``.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(
        self, lang: str = i18n.DEFAULT_LANGUAGE, *, escape: Callable[[Any], str] | None = None
    ) -> str:
        r"""Return the message in ``lang``, with its domain's parameters translated.

        ``escape`` (:func:`ilp_core.markup.markdown` for a page,
        :func:`ilp_core.markup.html` for a document) is applied to every text
        parameter, never to the catalog's template: a file name or a column name
        carried by the message shows as written and cannot act as a link or an
        image, while the template keeps its own emphasis.

        Examples
        --------
        >>> from ilp_core import markup
        >>> message = Message("ingest.mapping.column_twice", {"column": "**[a](x)**"})
        >>> print(message.render(escape=markup.markdown).split("”")[0])
        The column “\*\*\[a\]\(x\)\*\*
        """
        params = dict(self.params)
        translate = _TRANSLATORS.get(self.key.split(".", 1)[0])
        if translate is not None:
            params = translate(params, lang)
        if escape is not None:  # numbers and dates are written by i18n; anything else is text
            params = {
                k: v if isinstance(v, int | float | dt.date) else escape(str(v))
                for k, v in params.items()
            }
        return i18n.t(self.key, lang, **params)

    def __str__(self) -> str:
        return self.render()


class IlpInputError(ValueError):
    """Bad input a person can fix: carries a translatable message and where it is.

    Pages catch exactly this type and show ``error.message.render(lang)``; any
    other exception is a bug and is allowed to surface in tests.

    Parameters
    ----------
    key
        Catalog key of the message (``"allocation.floors_exceed_total"``).
    rows, columns
        The offending rows (as the user sees them) and column names, if any.
    **params
        Values for the message's placeholders.
    """

    def __init__(
        self,
        key: str,
        /,
        *,
        rows: Sequence[int] = (),
        columns: Sequence[str] = (),
        **params: Any,
    ) -> None:
        self.message = Message(key, params)
        self.rows = tuple(rows)
        self.columns = tuple(columns)
        super().__init__(self.message.render())

    def render(
        self, lang: str = i18n.DEFAULT_LANGUAGE, *, escape: Callable[[Any], str] | None = None
    ) -> str:
        """Return the message in ``lang`` (``escape``: see :meth:`Message.render`)."""
        return self.message.render(lang, escape=escape)


class Cancelled(Exception):  # noqa: N818 (what happened, as the user said it: not an error)
    """The user stopped a long computation (the Stop button of a progress bar).

    Long functions take a ``progress`` callback, called with the fraction done on
    the calling thread; the callback stops the work by returning ``False`` or by
    raising this exception. The function then stops within a fraction of a second,
    frees what it built and raises ``Cancelled``: there is no partial result.

    Examples
    --------
    >>> try:
    ...     raise Cancelled()
    ... except Cancelled:
    ...     print("stopped")
    stopped
    """
