"""District boundaries from GeoJSON, GeoPackage or a zipped Shapefile, kept in memory."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from ilp_core.data import geo
from ilp_core.data.ingest._common import config, normalise_name, read_source
from ilp_core.data.ingest._guards import ZIP_ERRORS, open_zip
from ilp_core.errors import IlpInputError, Message

_POLYGONAL: Final[frozenset[str]] = frozenset({"Polygon", "MultiPolygon"})
_OTHER_LAYER_FILES: Final[tuple[str, ...]] = (".geojson", ".json", ".gpkg")


def load_boundaries(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    *,
    name_column: str | None = None,
    population_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read district boundaries for district-level analysis and maps.

    GeoJSON, GeoPackage (first layer) or a zipped Shapefile, from a path or from
    bytes (an upload is opened in GDAL's in-memory file system, never written to
    disk). The result is in WGS 84; invalid polygons are repaired with
    ``shapely.make_valid``; parts of one district spread over several features are
    merged. The name and population columns are guessed when not given (synonyms
    in ``ilp_core/config/column_synonyms.yaml``).

    Parameters
    ----------
    source, filename
        A path, bytes or a binary file-like object, and the name to show.
    name_column, population_column
        Attribute holding the district name / the resident population.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``district`` (str), ``population`` (float, NaN when unknown) and
        ``geometry`` (polygons, EPSG:4326). ``attrs["readings"]`` holds messages
        on what was guessed, repaired or merged.

    Raises
    ------
    IlpInputError
        When the file is not a readable layer of polygons, a given column does not
        exist, no name column can be found, or some districts have no name.

    Examples
    --------
    >>> gj = b'''{"type": "FeatureCollection", "features": [{"type": "Feature",
    ...   "properties": {"NAME": "North", "POP": 1200},
    ...   "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}'''
    >>> b = load_boundaries(gj, "d.geojson")
    >>> b[["district", "population"]].to_dict("records"), b.crs.to_epsg()
    ([{'district': 'North', 'population': 1200.0}], 4326)
    """
    data, name = read_source(source, filename)
    if not data.strip():
        raise IlpInputError("ingest.boundaries.empty_file", name=name)
    readings: list[Message] = []
    buffer = _flatten_zip(data, name, readings) if data[:2] == b"PK" else data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GPKG read from memory has no extension
        try:
            layers = pyogrio.list_layers(buffer)
            gdf = pyogrio.read_dataframe(buffer)
        except (DataSourceError, DataLayerError, FieldError, GeometryError, UnicodeDecodeError):
            raise IlpInputError("ingest.boundaries.unreadable", name=name) from None
        except shapely.errors.GEOSException:  # a ring not closed, too few points
            raise IlpInputError("ingest.boundaries.broken_shape", name=name) from None
    if len(layers) > 1:
        readings.append(
            Message("ingest.boundaries.first_layer", {"layer": str(layers[0][0]), "n": len(layers)})
        )
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all() or not len(gdf):
        raise IlpInputError("ingest.boundaries.no_polygons", name=name)
    gdf = gdf.loc[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    types = set(gdf.geom_type)
    if not types <= _POLYGONAL:
        raise IlpInputError(
            "ingest.boundaries.not_polygons", name=name, kinds=", ".join(sorted(types))
        )
    if gdf.crs is None:
        west, south, east, north = gdf.total_bounds
        if -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
            gdf = gdf.set_crs(geo.WGS84)
            readings.append(Message("ingest.boundaries.assumed_wgs84"))
        else:
            raise IlpInputError("ingest.boundaries.no_crs", name=name)
    elif gdf.crs.to_epsg() != 4326:
        readings.append(Message("ingest.boundaries.reprojected", {"crs": str(gdf.crs.name)}))
    gdf = gdf.to_crs(geo.WGS84)

    attributes = [c for c in gdf.columns if c != gdf.geometry.name]
    name_col = _pick_column(gdf, attributes, name_column, "name", readings)
    pop_col = _pick_column(gdf, attributes, population_column, "population", readings)

    names = gdf[name_col].astype("str").str.strip().where(gdf[name_col].notna())
    unnamed = np.flatnonzero(names.isna().to_numpy() | (names == "").to_numpy())
    if len(unnamed):
        raise IlpInputError(
            "ingest.boundaries.missing_names",
            rows=(unnamed + 1).tolist(),
            column=name_col,
            n=len(unnamed),
            features=", ".join(str(i + 1) for i in unnamed[:10]),
        )
    population = (
        pd.to_numeric(gdf[pop_col], errors="coerce").astype("float64")
        if pop_col is not None
        else pd.Series(np.nan, index=gdf.index)
    )
    geometry = gdf.geometry.to_numpy()
    invalid = ~shapely.is_valid(geometry)
    if invalid.any():
        repaired = shapely.make_valid(geometry[invalid], method="structure", keep_collapsed=False)
        geometry = geometry.copy()
        geometry[invalid] = [_polygonal(g) for g in repaired]
        readings.append(Message("ingest.boundaries.repaired", {"n": int(invalid.sum())}))
    out = gpd.GeoDataFrame(
        {
            "district": names.to_numpy(dtype=object),
            "population": population.to_numpy(dtype="float64"),
        },
        geometry=gpd.GeoSeries(geometry, crs=geo.WGS84).to_numpy(),
        crs=geo.WGS84,
    )
    out = out.loc[~out.geometry.is_empty].reset_index(drop=True)
    if out["district"].duplicated().any():
        n_parts = len(out)
        out = out.dissolve(
            by="district", aggfunc={"population": lambda s: s.sum(min_count=1)}, sort=False
        ).reset_index()
        readings.append(Message("ingest.boundaries.merged", {"parts": n_parts, "n": len(out)}))
    result = gpd.GeoDataFrame(
        {
            "district": pd.array(out["district"].astype(str).to_numpy(), dtype="str"),
            "population": out["population"].to_numpy(dtype="float64"),
        },
        geometry=out.geometry.to_numpy(),
        crs=geo.WGS84,
    )
    result.attrs["readings"] = tuple(readings)
    return result


def _flatten_zip(data: bytes, name: str, readings: list[Message]) -> bytes:
    """Return a zip with one Shapefile's parts at its root (GDAL does not search folders).

    Built in memory with :mod:`zipfile`; a zip holding a GeoJSON or GeoPackage
    instead returns that file's bytes.
    """
    # sizes and packing checked in the zip's directory before any part is unpacked
    archive = open_zip(data, name, "ingest.boundaries.unreadable")
    members = [m for m in archive.namelist() if not m.endswith("/") and "__MACOSX" not in m]
    shapes = sorted(m for m in members if m.lower().endswith(".shp"))
    if not shapes:
        others = sorted(m for m in members if m.lower().endswith(_OTHER_LAYER_FILES))
        if not others:
            raise IlpInputError("ingest.boundaries.zip_without_layer", name=name)
        return _unzip(archive, others[0], name)
    if len(shapes) > 1:
        readings.append(
            Message("ingest.boundaries.first_shapefile", {"file": shapes[0], "n": len(shapes)})
        )
    stem = str(PurePosixPath(shapes[0]).with_suffix(""))
    parts = [m for m in members if str(PurePosixPath(m).with_suffix("")) == stem]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as flat:
        for member in parts:
            flat.writestr(
                "layer" + PurePosixPath(member).suffix.lower(), _unzip(archive, member, name)
            )
    return out.getvalue()


def _unzip(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    try:
        return archive.read(member)
    except ZIP_ERRORS:
        raise IlpInputError("ingest.boundaries.unreadable", name=name) from None


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygon parts of a repaired geometry (drop stray lines and points)."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in _POLYGONAL]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def _pick_column(
    gdf: gpd.GeoDataFrame,
    attributes: list[str],
    given: str | None,
    role: str,
    readings: list[Message],
) -> str | None:
    """The attribute holding the district name (``role="name"``) or population."""
    if given is not None:
        if given not in attributes:
            raise IlpInputError(
                f"ingest.boundaries.{role}_column_not_found",
                columns=[given],
                column=given,
                available=", ".join(attributes),
            )
        return given
    wanted = [normalise_name(s) for s in (config().get("boundaries") or {}).get(role) or ()]
    norm = {c: normalise_name(c) for c in attributes}
    for synonym in wanted:
        for column in attributes:
            if norm[column] == synonym and _fits(gdf[column], role):
                readings.append(Message(f"ingest.boundaries.guessed_{role}", {"column": column}))
                return column
    if role == "population":
        for column in attributes:
            if norm[column].startswith("pop") and _fits(gdf[column], role):
                readings.append(Message("ingest.boundaries.guessed_population", {"column": column}))
                return column
        readings.append(Message("ingest.boundaries.no_population"))
        return None
    texts = [c for c in attributes if _fits(gdf[c], "name")]
    unique = [c for c in texts if gdf[c].notna().all() and gdf[c].is_unique]
    if unique or texts:
        column = (unique or texts)[0]
        readings.append(Message("ingest.boundaries.guessed_name", {"column": column}))
        return column
    raise IlpInputError("ingest.boundaries.no_name_column", available=", ".join(attributes) or "-")


def _fits(values: pd.Series, role: str) -> bool:
    if role == "population":
        numbers = pd.to_numeric(values, errors="coerce")
        return bool(numbers.notna().any()) and bool((numbers.dropna() >= 0).all())
    text = values.dropna()
    if pd.api.types.is_object_dtype(values) and any(
        isinstance(v, dict | list | tuple | set) for v in text
    ):
        return False  # nested GeoJSON properties ({...}, [...]) are not names
    return len(text) > 0 and not pd.api.types.is_numeric_dtype(values)
