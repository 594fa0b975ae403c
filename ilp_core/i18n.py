"""One small translation layer for every user-facing word.

Catalogs are flat JSON files ``ilp_core/locales/<lang>/<domain>.json`` mapping a
dotted key to a ``str.format`` template (``"{n} rows rejected"``); a language's
catalog is the union of its domain files (``app.json``, ``ingest.json``,
``terms.json``, ...), and a key lives in exactly one domain. English is the source
catalog; adding a language is adding one folder of files and its code to
``LANGUAGES``.
Numbers and dates are formatted with Babel for the chosen language.

Data values (offence types, district names of the sample region) are translated
through keys ``term.<slug>`` when the catalog has them and shown as written
otherwise, so an analyst's own data is never altered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from importlib import resources
from typing import Any, Final

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from ilp_core import keys

LANGUAGES: Final[dict[str, str]] = {
    "en": "English",
    "ru": "Русский",
    "fr": "Français",
    "es": "Español",
}
DEFAULT_LANGUAGE: Final[str] = "en"
_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?:[:!][^}]*)?\}")


@cache
def catalog(lang: str) -> dict[str, str]:
    """Return the catalog of ``lang`` (an empty dict for a language with no file)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {sorted(LANGUAGES)}")
    folder = resources.files("ilp_core") / "locales" / lang
    merged: dict[str, str] = {}
    if not folder.is_dir():
        return merged
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".json"):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def placeholders(template: str) -> set[str]:
    """Return the names of the ``{placeholders}`` in a catalog template."""
    return set(_PLACEHOLDER.findall(template))


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """Translate ``key`` into ``lang`` and fill its placeholders.

    Falls back to English when ``lang`` lacks the key (a test keeps every catalog
    complete); a key missing from English too is a bug and raises ``KeyError``.

    Examples
    --------
    >>> t("common.rows", "en", n=3)
    '3 rows'
    """
    template = catalog(lang).get(key)
    if template is None:
        template = catalog(DEFAULT_LANGUAGE)[key]
    if not params:
        return template
    return template.format(**{k: _format_param(v, lang) for k, v in params.items()})


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether ``lang`` (or English) has a string for ``key``."""
    return key in catalog(lang) or key in catalog(DEFAULT_LANGUAGE)


def slug(value: str) -> str:
    """Return the catalog slug of a data value ("Residential burglary": residential_burglary).

    A name written in ASCII gives its words joined by ``_`` (the catalog's
    ``term.<slug>`` keys); any other name gives :func:`ilp_core.keys.safe_key`,
    never an empty slug, so «Грабёж» and «Разбой» have slugs of their own (and
    no catalog entry: they are shown as written). A slug is a catalog key, not
    an identity: identities are :func:`ilp_core.keys.name_key`.

    Examples
    --------
    >>> slug("Violence with injury"), slug("Грабёж") == slug("Разбой"), bool(slug("強盗"))
    ('violence_with_injury', False, True)
    """
    key = keys.name_key(value)
    if not key.isascii():
        return keys.safe_key(value)
    return re.sub(r"[^0-9a-z]+", "_", key).strip("_")


def term(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """Translate a data value (offence type, sample district) when the catalog knows it.

    Unknown values (an analyst's own offence codes) are returned unchanged.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = catalog(lang).get(f"term.{slug(value)}")
    return text if text is not None else str(value)


def number(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """Format a number with the language's separators (``12 345,6`` in Russian)."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(value, format=fmt, locale=lang)


def percent(share: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """Format a share in 0..1 as a percentage (``42 %`` in French)."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return babel_numbers.format_percent(share, format=fmt, locale=lang)


def date(value: dt.date | dt.datetime, lang: str = DEFAULT_LANGUAGE, fmt: str = "medium") -> str:
    """Format a date for the language (``25 nov. 2026`` in French)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_dates.format_date(value, format=fmt, locale=lang)


def _format_param(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, dt.date):
        return date(value, lang)
    return value
