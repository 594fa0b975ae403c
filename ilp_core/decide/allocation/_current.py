"""Today's allocation of officer-hours: read an uploaded table and check it against the areas.

The current allocation is data an analyst uploads or edits (a spreadsheet with
``district`` and ``hours_per_week``), so its checks name the spreadsheet rows and
the districts that are missing or unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilp_core.decide.allocation._common import listing
from ilp_core.errors import IlpInputError


def check_current(frame: pd.DataFrame, areas: Sequence[str]) -> pd.Series:
    """Validate a current allocation against the areas analysed and return hours per area.

    The table needs the columns ``district`` and ``hours_per_week`` (as the sample
    region's ``allocation.csv``); every district must appear exactly once, with a
    number of hours that is zero or more, and no other district may appear.

    Parameters
    ----------
    frame
        The table as uploaded or edited.
    areas
        The district names of the dataset.

    Returns
    -------
    pandas.Series
        Hours per week indexed by district, in the order of ``areas``.

    Raises
    ------
    IlpInputError
        ``allocation.current_columns``, ``allocation.current_bad_hours`` (with the
        spreadsheet rows), ``allocation.current_duplicates`` or
        ``allocation.current_mismatch`` (naming the missing and unknown districts).

    Examples
    --------
    >>> table = pd.DataFrame({"district": ["B", "A"], "hours_per_week": [30, 10]})
    >>> check_current(table, ["A", "B"])
    district
    A    10.0
    B    30.0
    Name: hours_per_week, dtype: float64
    """
    needed = ["district", "hours_per_week"]
    missing_cols = [c for c in needed if c not in frame.columns]
    if missing_cols:
        raise IlpInputError(
            "allocation.current_columns",
            columns=missing_cols,
            missing=", ".join(missing_cols),
            found=", ".join(map(str, frame.columns)) or "-",
        )
    names = frame["district"].astype("object").map(lambda v: None if pd.isna(v) else str(v).strip())
    hours = pd.to_numeric(frame["hours_per_week"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(hours) | (hours < 0) | names.isna().to_numpy())
    if len(bad):
        if frame.index.name == "row_number":  # read from a file: the spreadsheet's rows
            rows = [int(frame.index[i]) for i in bad]
        else:  # a table: the header is spreadsheet row 1
            rows = [int(i) + 2 for i in bad]
        raise IlpInputError(
            "allocation.current_bad_hours",
            rows=rows,
            columns=needed,
            n=len(rows),
            rows_list=listing([str(r) for r in rows]),
        )
    dup = names[names.duplicated()].unique().tolist()
    if dup:
        raise IlpInputError("allocation.current_duplicates", districts=listing(dup), n=len(dup))
    wanted = [str(a) for a in areas]
    have, want = set(names), set(wanted)
    missing = [a for a in wanted if a not in have]
    unknown = [n for n in names if n not in want]
    if missing or unknown:
        raise IlpInputError(
            "allocation.current_mismatch",
            n_missing=len(missing),
            n_unknown=len(unknown),
            missing=listing(missing),
            unknown=listing(unknown),
        )
    series = pd.Series(hours, index=pd.Index(names.to_numpy(), name="district"))
    return series.reindex(wanted).rename_axis("district").rename("hours_per_week")


def read_current(data: bytes, filename: str, areas: Sequence[str]) -> pd.Series:
    r"""Read an uploaded current allocation (CSV or Excel) and check it (:func:`check_current`).

    The file is read as incident exports are (:func:`ilp_core.data.ingest.read_table`:
    CSV in any common encoding and delimiter, Excel or Parquet, within the upload
    limits), and rows are numbered as the spreadsheet shows them.

    Raises
    ------
    IlpInputError
        ``allocation.current_unreadable`` when the file cannot be read as a table,
        ``ingest.limit.*`` when it is over an upload limit, and the errors of
        :func:`check_current`.

    Examples
    --------
    >>> read_current(b"district,hours_per_week\nA,40\nB,24\n", "x.csv", ["A", "B"]).tolist()
    [40.0, 24.0]
    """
    from ilp_core.data import ingest

    try:
        # the incidents' reader: encodings, delimiters, title rows, and the upload limits
        raw = ingest.read_table(data, filename)
    except IlpInputError as error:
        if error.message.key.startswith("ingest.limit."):
            raise
        raise IlpInputError("allocation.current_unreadable", name=filename) from None
    frame = raw.frame.rename(columns=lambda c: str(c).strip())
    return check_current(frame, areas)
