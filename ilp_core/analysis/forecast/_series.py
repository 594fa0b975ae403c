"""Monthly series to forecast: one per offence, or one per district for chosen offences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.temporal import period_counts
from ilp_core.errors import IlpInputError

By = Literal["offence", "district"]

_BY: Final[tuple[str, ...]] = get_args(By)


@dataclass(frozen=True)
class MonthlySeries:
    """Incidents per calendar month, one series per offence or per district.

    Attributes
    ----------
    table
        ``series`` (the offence or district), ``period_start`` (first of the
        month), ``days`` (days in the month) and ``count``; every series has a
        row for every fully covered month, zeros included. Series are ordered by
        their total, largest first.
    by
        ``"offence"`` or ``"district"``.
    offences
        For ``by="district"``: the offences counted (empty: all of them).
    start, end
        First and last day of the months used.
    excluded
        Rows left out, by reason (``no_date``, ``no_offence`` (for districts:
        ``no_district``), ``outside_coverage``, ``other_offence``).
    """

    table: pd.DataFrame
    by: str
    offences: tuple[str, ...]
    start: dt.date
    end: dt.date
    excluded: Mapping[str, int]

    @property
    def names(self) -> list[str]:
        """The series, largest first."""
        return list(dict.fromkeys(self.table["series"].tolist()))

    def matrix(self) -> tuple[list[str], np.ndarray, pd.DatetimeIndex, np.ndarray]:
        """Series names, counts as a (series x month) array, the months and their days."""
        names = self.names
        months = pd.DatetimeIndex(np.sort(self.table["period_start"].unique()))
        wide = self.table.pivot_table(
            index="series", columns="period_start", values="count", aggfunc="sum", sort=False
        ).reindex(index=names, columns=months, fill_value=0)
        days = months.days_in_month.to_numpy(dtype=float)
        return names, wide.to_numpy(dtype=float), months, days


def monthly_series(
    incidents: pd.DataFrame,
    by: By = "offence",
    *,
    offences: Sequence[str] = (),
    top: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> MonthlySeries:
    """Count incidents per calendar month for each offence, or each district.

    Partial first and last months are dropped (a month the data covers only in
    part would look like a fall), as in
    :func:`ilp_core.analysis.temporal.period_counts`, which does the counting.

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    by
        ``"offence"``: one series per offence type; ``"district"``: one series
        per district, counting the ``offences`` chosen (all when empty).
    offences
        For ``by="district"``, the offences to count (the top problems).
    top
        Keep only the ``top`` largest series (default: all).
    start, end
        First and last day the data covers; default the first and last incident.

    Returns
    -------
    MonthlySeries

    Raises
    ------
    IlpInputError
        ``checks.option`` for an unknown ``by``, ``checks.whole`` for a ``top``
        below 1, ``temporal.no_dated_incidents`` when nothing can be counted.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> df = example_incidents(["Theft", "Theft", "Robbery"],
    ...     occurred_at=["2024-01-05", "2024-02-05", "2024-02-07"], district=["A", "B", "B"])
    >>> ms = monthly_series(df, "district", start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 29))
    >>> ms.table[["series", "count"]].to_numpy().tolist()
    [['B', 0], ['B', 2], ['A', 1], ['A', 0]]
    """
    by = checks.option("by", by, _BY)
    if top is not None:
        top = checks.whole("top", top, minimum=1)
    chosen = tuple(str(o) for o in offences)
    excluded_extra: dict[str, int] = {}
    frame = incidents
    if by == "district":
        if chosen:
            keep = incidents["offence"].astype("object").isin(chosen).to_numpy()
            excluded_extra["other_offence"] = int((~keep).sum())
            frame = incidents.loc[keep]
        # period_counts groups by ``offence``: let the district stand in its place.
        frame = frame.assign(offence=frame["district"])
    if len(frame) == 0:
        raise IlpInputError("temporal.no_dated_incidents")
    counts = period_counts(frame, "month", start=start, end=end, partial="drop")
    excluded = dict(counts.excluded)
    if by == "district":
        excluded["no_district"] = excluded.pop("no_offence", 0)
    excluded.update(excluded_extra)
    tab = counts.table
    if len(tab) == 0:
        raise IlpInputError("temporal.too_few_periods", n=0, minimum=1)
    totals = (
        tab.groupby("offence", sort=False)["count"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    names = totals.index.astype(str).tolist()[: top if top is not None else None]
    order = {name: i for i, name in enumerate(names)}
    tab = tab.loc[tab["offence"].isin(names)]
    rank = tab["offence"].map(order).to_numpy()
    tab = tab.iloc[np.lexsort((tab["period_start"].to_numpy(), rank))]
    table = pd.DataFrame(
        {
            "series": pd.array(tab["offence"].to_numpy(), dtype="str"),
            "period_start": tab["period_start"].to_numpy(),
            "days": tab["days"].to_numpy(dtype=np.int64),
            "count": tab["count"].to_numpy(dtype=np.int64),
        }
    )
    return MonthlySeries(
        table=table,
        by=str(by),
        offences=chosen,
        start=counts.start,
        end=counts.end,
        excluded=excluded,
    )
