"""The ICCS codes the dashboard knows (``ilp_core/config/iccs.yaml``): names, levels, parents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import pandas as pd

from ilp_core import _yaml, i18n
from ilp_core.errors import IlpInputError

#: The code of events that are no crime (not an ICCS code; harm 0).
NOT_A_CRIME: Final[str] = "NC"
#: Columns of :func:`iccs_classes`.
CLASS_COLUMNS: Final[tuple[str, ...]] = (
    "code",
    "name",
    "level",
    "parent",
    "section",
    "is_iccs",
    "ref",
    "note",
)
_CODE = re.compile(r"^(\d{2}|\d{4}|\d{5}|\d{6})(?:/([a-z_]+))?$")


@dataclass(frozen=True)
class _Class:
    code: str
    names: dict[str, str]
    ref: str
    note: str


@cache
def _classes() -> dict[str, _Class]:
    text = (resources.files("ilp_core") / "config" / "iccs.yaml").read_text(encoding="utf-8")
    data = _yaml.load(text)
    out: dict[str, _Class] = {}
    for code, entry in (data.get("codes") or {}).items():
        code = str(code)
        out[code] = _class(code, entry)
        for variant, v_entry in (entry.get("variants") or {}).items():
            full = f"{code}/{variant}"
            out[full] = _class(full, v_entry)
    return out


def _class(code: str, entry: dict[str, Any]) -> _Class:
    names = {lang: str(entry.get(lang) or entry["en"]) for lang in i18n.LANGUAGES}
    return _Class(
        code, names, str(entry.get("ref") or ""), " ".join(str(entry.get("note") or "").split())
    )


def is_class(code: Any) -> bool:
    """Whether ``code`` is a class of the bundled classification (an ICCS code, a variant, NC).

    Examples
    --------
    >>> is_class("0502"), is_class("0504/arson"), is_class("NC"), is_class("9999")
    (True, True, True, False)
    """
    return isinstance(code, str) and code in _classes()


def check_class(code: Any, offence: str = "") -> str:
    """Return ``code`` when it is a known class; raise ``classify.unknown_class`` otherwise."""
    if not is_class(code):
        raise IlpInputError("classify.unknown_class", code=str(code), offence=str(offence))
    return str(code)


def class_level(code: str) -> int:
    """ICCS level of a code: 1 (section, 2 digits) to 4 (6 digits); 0 for ``NC``.

    Examples
    --------
    >>> class_level("05"), class_level("0502"), class_level("050221"), class_level("NC")
    (1, 2, 4, 0)
    """
    match = _CODE.match(code)
    if match is None:
        return 0
    return {2: 1, 4: 2, 5: 3, 6: 4}[len(match.group(1))]


def class_parent(code: str) -> str | None:
    """The class one level up (a variant's parent is its ICCS code); ``None`` at the top.

    Examples
    --------
    >>> class_parent("050221"), class_parent("05021"), class_parent("0502"), class_parent("05")
    ('05022', '0502', '05', None)
    >>> class_parent("0504/arson"), class_parent("NC")
    ('0504', None)
    """
    match = _CODE.match(code)
    if match is None:
        return None
    digits, variant = match.group(1), match.group(2)
    if variant:
        return digits
    return {6: digits[:5], 5: digits[:4], 4: digits[:2]}.get(len(digits))


def class_name(code: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The name of a class in ``lang`` (``"Theft"``, ``"Кража"``).

    Examples
    --------
    >>> class_name("0401", "fr"), class_name("0502", "ru")
    ('Vol avec violence ou menace', 'Кража')
    """
    return _classes()[check_class(code)].names[lang if lang in i18n.LANGUAGES else "en"]


def class_label(code: str | None, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Code and name as shown to people (``"0502 Theft"``); the "not classified" text for None.

    Examples
    --------
    >>> class_label("0502"), class_label("NC", "es")
    ('0502 Theft', 'NC No es un delito (fuera de la ICCS)')
    """
    if code is None or (isinstance(code, float) and code != code) or code == "":
        return i18n.t("classify.not_classified", lang)
    return f"{code} {class_name(code, lang)}"


def iccs_classes(lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Every class the dashboard knows, in code order, named in ``lang``.

    The choices of the Data page's classification step.

    Parameters
    ----------
    lang
        One of ``i18n.LANGUAGES``.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name``, ``level`` (1-4; 0 for ``NC``), ``parent`` (None at the
        top), ``section`` (the 2-digit section; None for ``NC``), ``is_iccs``
        (False for ``NC`` and variants such as ``0504/arson``), ``ref`` (the page
        of the ICCS 1.0 manual the code was checked against, "" when not checked)
        and ``note``.

    Examples
    --------
    >>> t = iccs_classes("en")
    >>> row = t.set_index("code").loc["0501"]
    >>> row["name"], int(row["level"]), row["parent"]
    ('Burglary', 2, '05')
    >>> bool(t.set_index("code").loc["0504/arson", "is_iccs"])
    False
    """
    rows = []
    for code, c in sorted(_classes().items(), key=lambda kv: (kv[0] == NOT_A_CRIME, kv[0])):
        match = _CODE.match(code)
        rows.append(
            {
                "code": code,
                "name": c.names[lang if lang in i18n.LANGUAGES else "en"],
                "level": class_level(code),
                "parent": class_parent(code),
                "section": match.group(1)[:2] if match else None,
                "is_iccs": bool(match and not match.group(2)),
                "ref": c.ref,
                "note": c.note,
            }
        )
    out = pd.DataFrame(rows, columns=list(CLASS_COLUMNS))
    for col in ("parent", "section"):  # None, not NaN, where there is none
        out[col] = pd.Series([r[col] for r in rows], index=out.index, dtype=object)
    return out
