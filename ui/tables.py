"""Result tables made for people: names and coded values in words, numbers in the language's style.

The library's tables keep stable column names (``lisa_p_fdr``, ``n_neighbours``) and
coded values (``not_significant``, ``HH``): they are its API and what the downloads
hold. What a page *shows* goes through :func:`for_people` (names and values through the
i18n catalogs) and :func:`show` (numbers written as the language writes them,
``168 731,2`` in Russian and French, ``168.731,2`` in Spanish) while the cells keep
their numbers, so a column still sorts as numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ilp_core import i18n
from ui.state import lang

#: Catalog prefixes tried, in order, for a column's label.
COLUMN_PREFIXES: tuple[str, ...] = ("tables.col.", "hotspots.col.")
#: Catalog prefix of each coded column's values (None: a data value, such as a district).
VALUE_PREFIXES: dict[str, str | None] = {
    "gi_class": "hotspots.class.",
    "lisa_class": "hotspots.lisa.",
    "lisa_quadrant": "hotspots.lisa.",
    "change_class": "hotspots.change.",
    "district": None,
    "offence": None,
    "top_offence": None,
}


def for_people(df: pd.DataFrame, code: str | None = None) -> pd.DataFrame:
    """A copy of ``df`` with its columns and coded values in the user's language.

    Columns the catalogs do not know (an analyst's own, already translated ones) keep
    their names.
    """
    code = code or lang()
    out = df.copy()
    for name, prefix in VALUE_PREFIXES.items():
        if name in out.columns:
            out[name] = out[name].map(_value_label(prefix, code))
    return out.rename(columns=lambda c: column_label(c, code))


def column_label(name: Any, code: str) -> str:
    """A column's label in ``code``, or its name when no catalog knows it."""
    for prefix in COLUMN_PREFIXES:
        key = f"{prefix}{name}"
        if i18n.has(key, code):
            return i18n.t(key, code)
    return str(name)


def _value_label(prefix: str | None, code: str) -> Callable[[Any], Any]:
    def label(value: Any) -> Any:
        if value is None or (isinstance(value, float) and value != value):
            return value
        if prefix is None:
            return i18n.term(value, code)
        key = f"{prefix}{value}"
        return i18n.t(key, code) if i18n.has(key, code) else value

    return label


def decimals_for(values: pd.Series) -> int:
    """Decimals that show a column's numbers well: none for counts, 3 for p-values."""
    finite = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or np.all(finite == np.round(finite)):
        return 0
    top = float(np.max(np.abs(finite)))
    return 3 if top < 1 else 2 if top < 100 else 1


def formatter(spec: str, code: str) -> Callable[[Any], str]:
    """A cell formatter: ``"2"`` (decimals), ``"+0"`` (signed), ``"%1"`` (a share as %)."""
    signed, share = spec.startswith("+"), spec.startswith("%")
    places = int(spec.lstrip("+%") or 0)

    def fmt(value: Any) -> str:
        if value is None or pd.isna(value):
            return ""
        if share:
            return i18n.percent(value, code, places)
        text = i18n.number(value, code, places)
        return "+" + text if signed and value > 0 else text

    return fmt


def number_formats(
    df: pd.DataFrame, code: str, specs: dict[Any, str] | None = None
) -> dict[Any, Callable[[Any], str]]:
    """A formatter per numeric column writing its numbers in the language's style."""
    specs = specs or {}
    formats = {}
    for name in df.columns:
        col = df[name]
        if name in specs:
            formats[name] = formatter(specs[name], code)
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            formats[name] = formatter(str(decimals_for(col)), code)
    return formats


def styled(df: pd.DataFrame, code: str | None = None, specs: dict[Any, str] | None = None) -> Any:
    """``df`` as a pandas Styler whose numbers read as the language writes them."""
    code = code or lang()
    return df.style.format(number_formats(df, code, specs))


def show(df: pd.DataFrame, specs: dict[Any, str] | None = None, **kwargs: Any) -> None:
    """``st.dataframe`` of a result table for people: words, and numbers per language.

    ``specs`` sets a column's format (see :func:`formatter`) by its shown name.
    """
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    shown = for_people(df if df.columns.is_unique else df.loc[:, ~df.columns.duplicated()])
    kwargs["column_config"] = {**header_widths(shown), **kwargs.get("column_config", {})}
    st.dataframe(styled(shown, specs=specs), **kwargs)


def header_widths(df: pd.DataFrame) -> dict[str, Any]:
    """Columns wide enough for their header (capped at 320 px).

    Streamlit sized columns to their values and cut headers such as "Share of dema…"
    (longer in Russian).
    """
    return {
        str(name): st.column_config.Column(width=min(_HEADER_PX * len(str(name)) + 40, 320))
        for name in df.columns
    }


_HEADER_PX = 8  # about one character of the table's header font, in pixels
