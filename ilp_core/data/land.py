"""Land or sea: which points fall on land, from the world mask a package ships.

The map comes from the ``global-land-mask`` package (MIT licence): NOAA's GLOBE
data, land or sea on a 1 km grid of the whole Earth, shipped inside the package
(nothing is downloaded at run time). Its full grid takes 933 MB as booleans, so it
is never loaded whole: it is read row band by row band from the package's
compressed file and pooled to cells of :data:`CELL_DEG` degrees (a cell is land
when any of its 1 km pixels is), then widened by one cell, so that a point "on
land" is on land or on water within about 10 km of a coast (a harbour, a bay, a
pier) and small islands such as Malta count. Lakes count as land.

Pooling the package's grid takes 3-8 s, which the first load of every app process
paid; the pooled map ships instead, bit-packed (:data:`MAP`, 52 kB), read in a few
milliseconds. :func:`write_map` makes it again from the package (``python -m
ilp_core.data.land``), and a test checks that the two are equal.

It answers one question of the Data page: are latitude and longitude swapped?
A city's incidents given with the two columns exchanged land in the sea as
often as not (London's 51.5 N, 0.1 W read as 0.1 S, 51.5 E is in the Indian
Ocean), while the same rows swapped back fall on land.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Final

import numpy as np
from scipy import ndimage

#: Size of a cell of the pooled map, in degrees (about 11 km north-south).
CELL_DEG: Final[float] = 0.1
#: How far from a coast a point still counts as on land (about; see the module notes).
COAST_KM: Final[int] = 10
_PIXELS_PER_DEG: Final[int] = 120  # the GLOBE grid: 21,600 x 43,200 pixels of 1/120 degree
_FILE: Final[str] = "globe_combined_mask_compressed.npz"
_MEMBER: Final[str] = "mask.npy"  # True where the pixel is sea


#: The pooled map, bit-packed: made by :func:`write_map` from the installed package.
MAP: Final[Path] = Path(__file__).with_name("land_mask.npz")


@functools.cache
def _land() -> np.ndarray:
    """The pooled land map: rows from 90 N southwards, columns from 180 W eastwards."""
    with np.load(MAP) as saved:
        shape = tuple(int(v) for v in saved["shape"])
        return np.unpackbits(saved["bits"], count=shape[0] * shape[1]).astype(bool).reshape(shape)


def write_map(path: Path = MAP) -> None:
    """Pool the package's grid (:func:`_pooled`) and save it where :func:`_land` reads it."""
    land = _pooled()
    np.savez_compressed(path, bits=np.packbits(land), shape=np.array(land.shape))


def _pooled() -> np.ndarray:
    """The land map pooled from the package's 1 km grid (see the module notes).

    The package's module would load the whole 933 MB grid on import, so its file is
    read here without importing it, and inflated band by band with a bounded output
    (an all-sea band inflates 370 times): 4 s and under 50 MB once per process.
    """
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("global-land-mask is missing: install requirements.txt")
    path = Path(spec.submodule_search_locations[0]) / _FILE
    with path.open("rb") as raw:
        info = zipfile.ZipFile(raw).getinfo(_MEMBER)
        raw.seek(info.header_offset)
        name_len, extra_len = struct.unpack("<HH", raw.read(30)[26:30])
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        packed = raw.read(info.compress_size)
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # a zip member is a raw deflate stream
    head = io.BytesIO(inflate.decompress(packed, 4096))
    pending = inflate.unconsumed_tail
    version = np.lib.format.read_magic(head)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0}.get(
        version, np.lib.format.read_array_header_2_0
    )
    shape, fortran, dtype = read_header(head)
    step = round(CELL_DEG * _PIXELS_PER_DEG)
    if fortran or dtype != np.bool_ or shape[0] % step or shape[1] % step:
        raise ValueError(f"unexpected land mask layout {shape} {dtype}")
    band_bytes = step * shape[1]
    buffer = bytearray(head.read())
    rows = []
    while len(rows) < shape[0] // step:
        if len(buffer) < band_bytes:
            buffer += inflate.decompress(pending, band_bytes - len(buffer))
            pending = inflate.unconsumed_tail
            continue
        band = np.frombuffer(bytes(buffer[:band_bytes]), dtype=np.bool_)  # True: sea
        rows.append(~band.reshape(step, shape[1] // step, step).all(axis=(0, 2)))
        del buffer[:band_bytes]
    land = np.vstack(rows)
    # one cell around every land cell (longitudes wrap around at 180 degrees)
    wide = ndimage.binary_dilation(np.pad(land, ((0, 0), (1, 1)), mode="wrap"), iterations=1)
    return wide[:, 1:-1]


def on_land(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Return, for each point, whether it falls on land (or within about 10 km of a coast).

    Parameters
    ----------
    lat, lon
        Degrees (WGS 84), arrays of the same shape. NaN or impossible values
        (beyond +-90 / +-180) are not on land.

    Returns
    -------
    numpy.ndarray
        Booleans, the shape of ``lat``.

    Examples
    --------
    >>> on_land(np.array([51.5, -0.12, 35.9]), np.array([-0.12, 51.5, 14.51])).tolist()
    [True, False, True]

    London is on land; London with its coordinates swapped is in the Indian
    Ocean; Malta, an island of 316 km^2, is on land.
    """
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
    out = np.zeros(la.shape, dtype=bool)
    if ok.any():
        land = _land()
        row = np.clip(((90.0 - la[ok]) / CELL_DEG).astype(int), 0, land.shape[0] - 1)
        col = np.clip(((lo[ok] + 180.0) / CELL_DEG).astype(int), 0, land.shape[1] - 1)
        out[ok] = land[row, col]
    return out


if __name__ == "__main__":
    write_map()
