"""Small building blocks the pages share: messages, downloads, maps, the quality report."""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import folium
import pandas as pd
import streamlit as st

from ilp_core import figures, i18n
from ilp_core.errors import IlpInputError
from ilp_core.products import export
from ui.state import lang, term, tr

T = TypeVar("T")


def attempt(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
    """Run a library call; show an :class:`IlpInputError` as a plain message and return None.

    Only the project's own input error is caught: anything else is a bug and
    must surface.
    """
    try:
        return func(*args, **kwargs)
    except IlpInputError as error:
        st.error(error.render(lang()), icon=":material/error:")
        return None


def download_table(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    stem: str,
    *,
    key: str,
    excel: bool = False,
    label: str | None = None,
) -> None:
    """CSV (and optionally Excel) download buttons for a table, formula-safe.

    ``label`` names the CSV button when a page offers several tables.

    The files are made when the button is clicked, not on every rerun: on the Where
    page that took 0.15 s of a 0.45 s rerun. ``frame`` may be a function making the
    table, so a table made only for the download is made on the click too.
    """
    cols = st.columns(2 if excel else 1)
    cols[0].download_button(
        label or tr("common.download_csv"),
        data=functools.partial(_made, export.csv_bytes, frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}.csv",
        icon=":material/download:",
    )
    if excel:
        cols[1].download_button(
            tr("common.download_excel"),
            data=functools.partial(
                _made, functools.partial(export.excel_bytes, lang=lang()), frame
            ),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}.xlsx",
            icon=":material/download:",
        )


def _made(to_bytes: Callable[[pd.DataFrame], bytes], frame: Any) -> bytes:
    return to_bytes(frame() if callable(frame) else frame)


def tiles() -> figures.maps.Tiles | None:
    """The agency's basemap from ``ILP_TILES_URL`` / ``ILP_TILES_ATTRIBUTION``, if configured."""
    url = os.environ.get("ILP_TILES_URL", "").strip()
    if not url:
        return None
    return figures.maps.Tiles(url=url, attribution=os.environ.get("ILP_TILES_ATTRIBUTION", url))


_rendered: weakref.WeakKeyDictionary[folium.Map, str] = weakref.WeakKeyDictionary()
_render_lock = threading.Lock()


def show_map(m: folium.Map, *, height: int = 520) -> None:
    """Show a folium map in an iframe; panning and zooming never rerun the page.

    Maps are shared by all sessions (:func:`ui.cache.shared`) and folium's rendering
    changes the map it renders, so each map is rendered once, under a lock, and its
    page reused. Rendering took 0.15 s per map and rerun; two sessions rendering one
    map at once (the 30-session load test) sent one of them a broken script.
    """
    with _render_lock:
        page = _rendered.get(m)
        if page is None:
            page = _rendered[m] = figures.maps.render_html(m)
    st.iframe(page, height=height)


def offence_label(value: Any) -> str:
    """Offence type in the user's language when known."""
    return term(value)


def fmt_int(n: int) -> str:
    """An integer with the language's thousands separator."""
    return i18n.number(n, lang())


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>$~"})


def plain(text: str) -> str:
    """Text from data (file names, values, column names) made safe for ``st.markdown``.

    Without this, a value such as ``![x](http://host/t.png)`` in an uploaded file
    would make every viewer's browser fetch that image.
    """
    return str(text).translate(_MARKDOWN_SPECIAL)


def download_geojson(frame: Any, stem: str, *, key: str) -> None:
    """A GeoJSON download (EPSG:4326) for a spatial result, every value exact."""
    st.download_button(
        tr("common.download_geojson"), data=functools.partial(export.geojson_bytes, frame),
        file_name=f"{stem}.geojson", mime="application/geo+json", key=key,
        icon=":material/public:",
    )  # fmt: skip
