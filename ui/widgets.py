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

from ilp_core import figures, i18n, markup
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import export
from ui import shared
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
        st.error(error.render(lang(), escape=markup.markdown), icon=":material/error:")
        return None


def attempt_or_explain(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
    """Like :func:`attempt`, for an analysis the data may be too short or too sparse for.

    Its :class:`IlpInputError` (six months where a year of baseline is needed) is
    shown as an information, not an error: neither the data nor the settings are
    wrong, they cannot answer this question yet.
    """
    try:
        return func(*args, **kwargs)
    except IlpInputError as error:
        st.info(error.render(lang(), escape=markup.markdown), icon=":material/info:")
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
    table, so a table made only for the download is made on the click too. Each
    download is written to the audit trail (who, which dataset, which file).
    """
    cols = st.columns(2 if excel else 1)
    cols[0].download_button(
        label or tr("common.download_csv"),
        data=functools.partial(_made, export.csv_bytes, frame, shared.audit_download(stem)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}.csv",
        icon=":material/download:",
    )
    if excel:
        cols[1].download_button(
            tr("common.download_excel"),
            data=functools.partial(
                _made,
                functools.partial(export.excel_bytes, lang=lang()),
                frame,
                shared.audit_download(f"{stem}.xlsx"),
            ),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}.xlsx",
            icon=":material/download:",
        )


def _made(
    to_bytes: Callable[[pd.DataFrame], bytes], frame: Any, audit: Callable[[], None]
) -> bytes:
    made = to_bytes(frame() if callable(frame) else frame)
    audit()
    return made


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
            page = _rendered[m] = sandboxed(figures.maps.render_html(m), height)
    st.iframe(page, height=height)


#: What a frame of ours may do: run its scripts and offer downloads, never act as the app.
SANDBOX = "allow-scripts allow-downloads"


def show_html(page: str, *, height: int) -> None:
    """Show a document of ours (a map, the report's preview) in a sandboxed frame."""
    st.iframe(sandboxed(page, height), height=height)


def sandboxed(page: str, height: int) -> str:
    """``page`` inside an inner ``<iframe sandbox="allow-scripts allow-downloads">``.

    ``st.iframe`` gives its frame ``allow-scripts allow-same-origin``: a script in it
    could reach the app, its session and its cookies. The page runs one frame deeper,
    without ``allow-same-origin``: its origin is opaque, so a future escaping slip in
    a map or report cannot reach the app. The outer frame holds only this wrapper.
    """
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<style>html,body{margin:0;padding:0;overflow:hidden}"
        "iframe{border:0;width:100%;display:block}</style></head><body>"
        f'<iframe sandbox="{SANDBOX}" referrerpolicy="no-referrer" style="height:{int(height)}px" '
        f'srcdoc="{markup.html(page)}"></iframe></body></html>'
    )


def offence_label(value: Any) -> str:
    """Offence type in the user's language when known."""
    return term(value)


def fmt_int(n: int) -> str:
    """An integer with the language's thousands separator."""
    return i18n.number(n, lang())


def plain(text: Any) -> str:
    """Text from data (file names, values, column names) made safe for ``st.markdown``.

    Without this, a value such as ``![x](http://host/t.png)`` in an uploaded file
    would make every viewer's browser fetch that image (:func:`ilp_core.markup.markdown`).
    """
    return markup.markdown(text)


def as_markdown(message: Message | str) -> str:
    """A library message (or a sentence from data) as Markdown whose data cannot act.

    A :class:`~ilp_core.errors.Message` keeps its catalog template's emphasis and has
    its parameters (file, column, offence names...) escaped; a plain string is all
    data and is escaped whole.
    """
    if isinstance(message, Message):
        return message.render(lang(), escape=markup.markdown)
    return markup.markdown(message)


def say(
    show: Callable[..., Any], message: Message | str, /, *, icon: str | None = None, **data: Any
) -> None:
    """Show a message that carries data through one plain-text path.

    ``show`` is the Streamlit element (``st.warning``, ``st.caption``, a column's
    ``markdown``...); ``message`` a library :class:`~ilp_core.errors.Message`, or a
    catalog key whose ``data`` parameters are text from data (names of files,
    columns, offences, districts, a restored session): every text parameter is
    escaped for Markdown, the template's own Markdown is kept. This is the only way
    pages show such text (tests/test_markup.py checks it).
    """
    text = as_markdown(message if isinstance(message, Message) else Message(message, data))
    if icon is None:
        show(text)
    else:
        show(text, icon=icon)


def download_geojson(frame: Any, stem: str, *, key: str) -> None:
    """A GeoJSON download (EPSG:4326) for a spatial result, every value exact."""
    st.download_button(
        tr("common.download_geojson"),
        data=functools.partial(_made, export.geojson_bytes, frame, shared.audit_download(stem)),
        file_name=f"{stem}.geojson", mime="application/geo+json", key=key,
        icon=":material/public:",
    )  # fmt: skip
