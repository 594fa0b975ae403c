"""Limits on what one upload may hold: the one place they are configured.

The values live in ``ilp_core/config/limits.yaml`` (each one explained there: what
it stops and why it is that size); an environment variable ``ILP_<NAME>`` wins over
the file, so an administrator can size a server without editing it::

    ILP_MAX_ROWS=20000000 ILP_MAX_UNPACKED_BYTES=4_000_000_000 streamlit run app.py

Readers check them before they unpack or parse anything (sizes in a zip's central
directory, row counts in Parquet metadata, the cells of a sheet as they stream in)
and raise an :class:`~ilp_core.errors.IlpInputError` saying which limit was met, the
file's value, the limit, and how to split the file.

Examples
--------
>>> current().max_cell_chars
32767
>>> current({"ILP_MAX_ROWS": "1_000"}).max_rows
1000
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ilp_core import _yaml


@dataclass(frozen=True)
class Limits:
    """What one upload may hold (see ``ilp_core/config/limits.yaml`` for the reasons).

    Attributes
    ----------
    max_rows, max_columns, max_cells
        Data rows, columns, and rows x columns of one table.
    max_cell_chars
        Characters in one cell.
    max_unpacked_bytes
        Bytes a compressed upload may unpack to (all parts of a zip together, the
        decoded text of a Parquet file).
    max_packing_ratio
        Unpacked size / packed size of one zip part over 10 MB.
    max_zip_members
        Files inside one zip.
    max_document_bytes, max_document_depth, max_document_nodes
        Size, nesting depth and number of values of a saved JSON/YAML file.
    """

    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int
    max_unpacked_bytes: int
    max_packing_ratio: float
    max_zip_members: int
    max_document_bytes: int
    max_document_depth: int
    max_document_nodes: int


#: Zip parts smaller than this are not checked for their packing ratio (a few
#: kilobytes of repeated XML styles may pack 200 times and harm no one).
RATIO_FLOOR_BYTES = 10_000_000


@cache
def _from_file() -> dict[str, Any]:
    text = (resources.files("ilp_core") / "config" / "limits.yaml").read_text(encoding="utf-8")
    data = _yaml.load(text)
    names = {f.name for f in dataclasses.fields(Limits)}
    if not isinstance(data, dict) or set(data) != names:
        raise ValueError(f"limits.yaml must set exactly {sorted(names)}")
    return data


def current(environ: Mapping[str, str] | None = None) -> Limits:
    """Return the limits in force: ``limits.yaml``, overridden by ``ILP_<NAME>`` variables.

    Read on every call (a dictionary lookup per limit), so a test or an
    administrator's change of the environment applies at once.

    Parameters
    ----------
    environ
        The environment to read (default: ``os.environ``).

    Raises
    ------
    ValueError
        When the file or a variable holds something other than a positive number
        (a deployment error, named in the message).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Limits):
        raw = environ.get(f"ILP_{f.name.upper()}", _from_file()[f.name])
        kind = float if f.type in (float, "float") else int
        try:
            value = kind(str(raw).replace("_", "").strip())
        except ValueError:
            raise ValueError(
                f"limit {f.name} (ILP_{f.name.upper()}) is not a number: {raw!r}"
            ) from None
        if not value > 0:
            raise ValueError(f"limit {f.name} (ILP_{f.name.upper()}) must be positive: {raw!r}")
        values[f.name] = value
    return Limits(**values)
