"""numba for the analyses' compiled kernels, with a disk cache that can be written.

Importing numba takes about 0.3 s, so the kernels' modules import this on the
first analysis that needs them. A kernel compiles on its first call, then later
processes load it from numba's on-disk cache (``cache=True``). The cache goes where
numba puts it by default (``__pycache__`` beside the kernel's file) when that folder
is writable, else under the user's cache folder (``$XDG_CACHE_HOME`` or
``~/.cache``, ``ilp_core/numba``), else under the temporary folder;
``NUMBA_CACHE_DIR`` set by the user wins. Every kernel releases the GIL
(``nogil=True``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

try:
    import numba
except ImportError as error:  # numba is pinned in requirements.txt
    raise ImportError(
        "This analysis needs numba (pinned in requirements.txt): "
        "install the project's requirements, e.g. `pip install -r requirements.txt`."
    ) from error


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder)  # noqa: SIM115 (closed right away)
        probe.close()
    except OSError:
        return False
    return True


def _choose_cache_dir() -> None:
    """Point numba's cache to a writable folder when its default one is not."""
    if os.environ.get("NUMBA_CACHE_DIR") or _writable(Path(__file__).parent / "__pycache__"):
        return
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for folder in (user / "ilp_core" / "numba", Path(tempfile.gettempdir()) / "ilp_core-numba"):
        if _writable(folder):
            numba.config.CACHE_DIR = str(folder)
            return


_choose_cache_dir()
#: The decorator of every compiled kernel.
jit = numba.njit(cache=True, nogil=True)


def read_only(*arrays: np.ndarray) -> list[np.ndarray]:
    """Read-only views of ``arrays``: a kernel compiles once for the app's arrays.

    numba compiles a kernel anew for each combination of writable and read-only
    arguments; the remembered columns (``ilp_core.memo``) are read-only, so the
    kernels are called, and warmed up, with read-only views only.
    """
    views = []
    for a in arrays:
        view = a.view()
        view.flags.writeable = False
        views.append(view)
    return views
