"""Numbers, dates and names in the report's language, and tables of counts under the release policy.

:class:`_Fmt` formats every value of a report in one language; for a report for
wider release it also rounds stated totals and shows small counts as ``<k``.
:func:`_count_column` applies the small-count suppression
(:func:`ilp_core.products.suppression.suppress_counts`, primary and secondary) to a
column of incident counts, and :func:`_table` assembles a :class:`Table` from its
columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from babel.lists import format_list

from ilp_core import i18n
from ilp_core.decide import priorities
from ilp_core.products import suppression
from ilp_core.products.report._content import Table


@dataclass(frozen=True)
class _Fmt:
    """How a report writes values: in ``lang``, under the release policy (``wider``, ``k``)."""

    lang: str
    wider: bool
    k: int

    def t(self, key: str, /, **params: Any) -> str:
        return i18n.t(key, self.lang, **params)

    def num(self, value: Any, decimals: int = 0) -> str:
        if value is None or not np.isfinite(float(value)):
            return "–"
        return i18n.number(float(value), self.lang, decimals)

    def pct(self, share: Any, decimals: int = 0) -> str:
        if share is None or not np.isfinite(float(share)):
            return "–"
        return i18n.percent(float(share), self.lang, decimals)

    def signed_pct(self, value_pct: Any, decimals: int = 0) -> str:
        """A change in percent (``+12 %``) from a value already in percent."""
        if value_pct is None or not np.isfinite(float(value_pct)):
            return "–"
        text = i18n.percent(abs(float(value_pct)) / 100.0, self.lang, decimals)
        return ("+" if value_pct > 0 else "−" if value_pct < 0 else "") + text

    def p(self, value: Any) -> str:
        if value is None or not np.isfinite(float(value)):
            return "–"
        if value < 0.001:
            return "< " + i18n.number(0.001, self.lang, 3)
        return i18n.number(float(value), self.lang, 3)

    def p_clause(self, value: Any) -> str:
        """``p = 0.012`` or ``p < 0.001`` for a sentence."""
        text = self.p(value)
        return "p " + text if text.startswith("<") else "p = " + text

    def date(self, value: Any) -> str:
        return i18n.date(value, self.lang) if value is not None else "–"

    def term(self, value: Any) -> str:
        return i18n.term(value, self.lang)

    def dataset(self, data: Any) -> str:
        """The dataset's name: the file's for internal use, never in a wider release.

        A file name says who exported what and when (``burglary_victims_ward7.xlsx``):
        a report for wider release says "uploaded data" instead.
        """
        if data.is_sample:
            return self.t("report.sample_name")
        return self.dataset_label if self.wider else str(data.name)

    @property
    def dataset_label(self) -> str:
        """What a report for wider release says in place of the upload's file name."""
        return self.t("report.uploaded_data")

    def exact(self, value: Any) -> Any:
        """A count for the annex's JSON record: exact, or rounded for wider release."""
        return suppression.round_count(value) if self.wider else int(value)

    def names(self, values: Sequence[str]) -> str:
        return format_list([str(v) for v in values], locale=self.lang) if values else "–"

    def count(self, value: Any) -> str:
        """An incident count inside a table whose suppression was decided by the caller."""
        return self.num(value)

    def total(self, value: Any) -> str:
        """A stated total: exact, or rounded (and ``<k`` when small) for wider release."""
        if value is None or not np.isfinite(float(value)):
            return "–"
        if not self.wider or value == 0:
            return i18n.number(float(value), self.lang)
        if 0 < value < self.k:
            return self.small
        return self.t("report.rounded", n=i18n.number(suppression.round_count(value), self.lang))

    @property
    def small(self) -> str:
        return self.t("report.suppressed_primary", k=str(self.k))

    @property
    def withheld(self) -> str:
        return self.t("report.suppressed_secondary")


def _count_column(
    values: Sequence[float] | np.ndarray, labels: Sequence[Any], fmt: _Fmt
) -> tuple[list[str], np.ndarray]:
    """Format a column of incident counts, suppressed (primary and secondary) for wider release.

    Returns the cells and the mask of hidden ones.
    """
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    if not fmt.wider:
        return [fmt.num(x) for x in v], np.zeros(len(v), dtype=bool)
    result = suppression.suppress_counts(v, fmt.k, labels=[str(x) for x in labels])
    cells = [
        fmt.small
        if s == suppression.PRIMARY
        else fmt.withheld
        if s != suppression.SHOWN
        else fmt.num(x)
        for x, s in zip(v, result.state, strict=True)
    ]
    return cells, result.hidden


def _table(
    key: str,
    title: str,
    columns: Sequence[tuple[str, str, Sequence[str]]],
    data: pd.DataFrame,
    note: str = "",
) -> Table:
    header = tuple(c[0] for c in columns)
    kinds = tuple(c[1] for c in columns)
    n = len(data)
    for name, _, cells in columns:
        if len(cells) != n:
            raise ValueError(f"column {name!r} of table {key!r} has {len(cells)} cells, not {n}")
    rows = tuple(tuple(str(c[2][i]) for c in columns) for i in range(n))
    return Table(key, title, header, kinds, rows, data.reset_index(drop=True), note)


def _suppression_note(hidden: np.ndarray, fmt: _Fmt) -> str:
    return fmt.t("report.suppressed_note", k=str(fmt.k)) if fmt.wider and hidden.any() else ""


def _band(label: Any, lang: str) -> str:
    """A Knox band as labelled in tables and charts: ``0`` is the same location, ``inf`` is ∞."""
    text = str(label)
    return i18n.t("report.same_location", lang) if text == "0" else text.replace("inf", "∞")


def _method_label(scheme: priorities.Scheme, fmt: _Fmt) -> str:
    if scheme.preset:
        return priorities.preset_label(scheme.preset, fmt.lang)
    key = f"priorities.method.{scheme.method}"
    return fmt.t(key) if i18n.has(key, fmt.lang) else scheme.method
