r"""Writing the region: the four data files, byte for byte, and the command line.

:func:`write` fixes every detail that would change the bytes (row order,
6-decimal degrees, ``\n`` line ends, key order in the JSON files), so
``data/sample/`` regenerates identically; :func:`main` is
``python -m ilp_core.data.sample``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core.data.dataset import SAMPLE_DIR
from ilp_core.data.sample._generate import SampleRegion, generate
from ilp_core.data.sample._spec import DEFAULT_INCIDENTS, SEED
from ilp_core.errors import IlpInputError


def write(region: SampleRegion, folder: str | Path) -> None:
    r"""Write the region's four data files into ``folder`` (created when missing).

    The files are byte-for-byte reproducible: fixed row order, 6-decimal degrees,
    ``\n`` line ends, fixed key order in the JSON files.

    Parameters
    ----------
    region
        What :func:`generate` returned.
    folder
        Target folder; ``incidents.csv``, ``districts.geojson``, ``allocation.csv`` and
        ``planted.json`` are overwritten there (``README.md`` is left alone).

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write(generate(n_incidents=2_000), tmp)
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['allocation.csv', 'districts.geojson', 'incidents.csv', 'planted.json']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_incidents(region.incidents, folder / "incidents.csv")
    (folder / "districts.geojson").write_text(
        _geojson(region.districts), encoding="utf-8", newline="\n"
    )
    region.allocation.to_csv(folder / "allocation.csv", index=False, lineterminator="\n")
    (folder / "planted.json").write_text(
        json.dumps(region.planted, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
        newline="\n",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate ``data/sample/`` or write a large set elsewhere.

    Parameters
    ----------
    argv
        Arguments without the program name (``sys.argv[1:]`` when ``None``):
        ``--out DIR`` (default ``data/sample``), ``--incidents N``, ``--seed S``.

    Returns
    -------
    int
        Exit status 0 (argument errors exit with status 2 through ``argparse``).

    Examples
    --------
    >>> main(["--out", "/tmp/sample-1m", "--incidents", "1000000"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m ilp_core.data.sample",
        description="Write the synthetic sample region (Meridian Bay).",
    )
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        region = generate(args.incidents, args.seed)
    except IlpInputError as error:
        parser.error(str(error))
    write(region, args.out)
    seconds = time.perf_counter() - started
    print(f"{len(region.incidents)} incidents -> {args.out} ({seconds:.1f} s)")
    return 0


def _format_minutes(values: pd.Series) -> pd.Series:
    text = pd.Series(
        np.datetime_as_string(values.to_numpy().astype("datetime64[m]"), unit="m"),
        dtype="str",
    )
    return text.str.replace("T", " ", regex=False).where(values.notna().to_numpy(), "")


def _write_incidents(incidents: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].to_numpy(),
            "occurred_at": _format_minutes(incidents["occurred_at"]).to_numpy(),
            "occurred_to": _format_minutes(incidents["occurred_to"]).to_numpy(),
            "offence": incidents["offence"].to_numpy(),
            "lat": incidents["lat"].to_numpy(),
            "lon": incidents["lon"].to_numpy(),
            "district": incidents["district"].to_numpy(),
            "location_id": incidents["location_id"].to_numpy(),
        }
    )
    out.to_csv(path, index=False, float_format="%.6f", na_rep="", lineterminator="\n")


def _geojson(districts: gpd.GeoDataFrame) -> str:
    """GeoJSON (RFC 7946) with one feature per line and a fixed property order."""
    lines = ['{"type": "FeatureCollection", "features": [']
    features = []
    for name, pop, geom in zip(
        districts["district"], districts["population"], districts.geometry, strict=True
    ):
        rings = [geom.exterior, *geom.interiors]
        coords = [[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings]
        feature = {
            "type": "Feature",
            "properties": {"district": str(name), "population": int(pop)},
            "geometry": {"type": "Polygon", "coordinates": coords},
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    lines.append(",\n".join(features))
    lines.append("]}")
    return "\n".join(lines) + "\n"
