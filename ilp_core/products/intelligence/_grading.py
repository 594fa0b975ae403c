"""The grading schemes as configured (``grading.yaml``) and as named in the user's language.

:func:`grading` reads the schemes, their codes and English meanings, the
crosswalk tables and the "weak" rule into a :class:`Grading`; a trainer's own
YAML file of the same form can replace the bundled one. :func:`scheme_label`,
:func:`code_meaning` and :func:`allowed_text` give the names and meanings an
analyst reads, in any of the app's languages, and messages render
the package's messages with them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import yaml
from babel.lists import format_list

from ilp_core import _yaml, i18n
from ilp_core.errors import IlpInputError, translates_params

GradingScheme = Literal["eu4x4", "uk3x5x2", "5x5x5"]
Axis = Literal["source", "information", "handling"]

SCHEMES: Final[tuple[str, ...]] = get_args(GradingScheme)
AXES: Final[tuple[str, ...]] = get_args(Axis)


@dataclass(frozen=True)
class Grading:
    """The grading schemes, their crosswalks and the "weak" rule (``grading.yaml``).

    Attributes
    ----------
    schemes
        ``{scheme: {axis: {code: English meaning}}}``, codes in their order.
    crosswalks
        ``{from: {to: {axis: {code: code}}}}``.
    default_scheme
        The scheme of a row that names none.
    weak_scheme, weak_source, weak_information
        An item is weak when, converted to ``weak_scheme``, its source code is in
        ``weak_source`` or its information code in ``weak_information``.
    mostly_share
        A priority is flagged when more than this share of its items are weak (or
        it has none).
    """

    schemes: Mapping[str, Mapping[str, Mapping[str, str]]]
    crosswalks: Mapping[str, Mapping[str, Mapping[str, Mapping[str, str]]]]
    default_scheme: str
    weak_scheme: str
    weak_source: tuple[str, ...]
    weak_information: tuple[str, ...]
    mostly_share: float


def grading(path: str | Path | None = None) -> Grading:
    """Return the grading configuration (the bundled ``grading.yaml`` by default).

    Parameters
    ----------
    path
        Another YAML file of the same form (a trainer's adaptation).

    Returns
    -------
    Grading

    Raises
    ------
    IlpInputError
        ``intelligence.config_broken`` naming the part that is missing or wrong.

    Examples
    --------
    >>> g = grading()
    >>> list(g.schemes["eu4x4"]["source"]), g.weak_source
    (['A', 'B', 'C', 'X'], ('C', 'X'))
    """
    if path is None:
        return _bundled()
    return _parse(Path(path).read_text(encoding="utf-8"))


@cache
def _bundled() -> Grading:
    text = (resources.files("ilp_core") / "config" / "grading.yaml").read_text(encoding="utf-8")
    return _parse(text)


def _parse(text: str) -> Grading:
    part = "yaml"
    try:
        data = _yaml.load(text)
        part = "schemes"
        schemes = {
            str(s): {
                axis: {_norm(c): " ".join(str(m).split()) for c, m in spec[axis].items()}
                for axis in AXES
            }
            for s, spec in data["schemes"].items()
        }
        if set(schemes) != set(SCHEMES):
            raise ValueError(part)
        part = "crosswalks"
        walks = {
            str(a): {
                str(b): {
                    axis: {_norm(c): _norm(d) for c, d in table[axis].items()} for axis in AXES
                }
                for b, table in targets.items()
            }
            for a, targets in data["crosswalks"].items()
        }
        for a in SCHEMES:
            for b in SCHEMES:
                if a == b:
                    continue
                for axis in AXES:
                    table = walks[a][b][axis]
                    if set(table) != set(schemes[a][axis]) or not set(table.values()) <= set(
                        schemes[b][axis]
                    ):
                        raise ValueError(part)
        part = "weak"
        weak = data["weak"]
        weak_scheme = str(weak["scheme"])
        weak_source = tuple(_norm(c) for c in weak["source"])
        weak_info = tuple(_norm(c) for c in weak["information"])
        share = float(weak["mostly_share"])
        if (
            weak_scheme not in schemes
            or not set(weak_source) <= set(schemes[weak_scheme]["source"])
            or not set(weak_info) <= set(schemes[weak_scheme]["information"])
            or not 0.0 <= share < 1.0
        ):
            raise ValueError(part)
        part = "default_scheme"
        default = str(data.get("default_scheme", SCHEMES[0]))
        if default not in schemes:
            raise ValueError(part)
    except (KeyError, TypeError, ValueError, AttributeError, yaml.YAMLError):
        raise IlpInputError("intelligence.config_broken", part=part) from None
    return Grading(
        schemes=schemes,
        crosswalks=walks,
        default_scheme=default,
        weak_scheme=weak_scheme,
        weak_source=weak_source,
        weak_information=weak_info,
        mostly_share=share,
    )


def _norm(value: Any) -> str:
    """A code as written in the schemes: stripped, upper case, ``2.0`` read as ``2``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if math.isfinite(value) and float(value).is_integer() else str(value)
    text = str(value).strip().upper()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def _blank(value: Any) -> bool:
    """Whether a cell is empty: None, NaN or only spaces."""
    if isinstance(value, str):
        return not value.strip()
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not blank
        return False


def scheme_label(scheme: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return a scheme's name in ``lang`` (its key when the catalog lacks it).

    Examples
    --------
    >>> scheme_label("eu4x4"), scheme_label("uk3x5x2", "fr")
    ('EU/Europol 4x4', 'Royaume-Uni 3x5x2')
    """
    key = f"intelligence.scheme.{scheme}"
    return i18n.t(key, lang) if i18n.has(key, lang) else str(scheme)


def code_meaning(
    scheme: str, axis: str, code: str, lang: str = i18n.DEFAULT_LANGUAGE, cfg: Grading | None = None
) -> str:
    """Return what a code means, in ``lang`` (the YAML's English wording when not translated).

    Examples
    --------
    >>> code_meaning("eu4x4", "handling", "H2")
    'not to be disseminated without the permission of the provider'
    >>> code_meaning("uk3x5x2", "source", "2", "ru")
    'непроверенный'
    """
    cfg = cfg or grading()
    key = f"intelligence.code.{scheme}.{axis}.{code}"
    if i18n.has(key, lang):
        return i18n.t(key, lang)
    return cfg.schemes[scheme][axis][code]


def allowed_text(
    scheme: str, axis: str, lang: str = i18n.DEFAULT_LANGUAGE, cfg: Grading | None = None
) -> str:
    """Return every code of a scheme's axis with its meaning, as one list in ``lang``.

    Examples
    --------
    >>> allowed_text("uk3x5x2", "handling")
    'P (lawful sharing permitted) or C (lawful sharing permitted with conditions)'
    """
    cfg = cfg or grading()
    items = [f"{c} ({code_meaning(scheme, axis, c, lang, cfg)})" for c in cfg.schemes[scheme][axis]]
    return format_list(items, style="or", locale=lang)


@translates_params("intelligence")
def _translated(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Scheme and axis names, and the allowed codes with their meanings, in ``lang``.

    Messages carry the raw ``scheme`` and ``axis``; their names and the list of
    allowed codes are rebuilt in the requested language.

    Examples
    --------
    >>> from ilp_core.products.intelligence import check_code
    >>> try:
    ...     check_code("eu4x4", "source", "Z")
    ... except IlpInputError as error:
    ...     print(error.render("es")[:39])
    Fuente: «Z» no es un código del sistema
    """
    for name, value in list(params.items()):
        if name.endswith("scheme") and value in SCHEMES:
            params[f"{name}_name"] = scheme_label(value, lang)
    if params.get("scheme") in SCHEMES and params.get("axis") in AXES:
        params["axis_name"] = i18n.t(f"intelligence.axis.{params['axis']}", lang)
        params["allowed"] = allowed_text(params["scheme"], params["axis"], lang)
    return params
