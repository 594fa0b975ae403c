"""What every chart of the library shares: colours, axis layout, day and month names.

Colours come from scales that survive colour-blindness and a projector: viridis
for counts, ColorBrewer RdBu (diverging, centred on "no effect") for ratios and
changes, and marks that differ in shape as well as colour (triangles up and
down) wherever colour carries meaning.
"""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import plotly.graph_objects as go
from babel import dates as babel_dates

from ilp_core import i18n

# ColorBrewer RdBu (colour-blind safe): red for "more", blue for "less", grey for neutral.
RED: Final[str] = "#b2182b"
BLUE: Final[str] = "#2166ac"
GREY: Final[str] = "#bdbdbd"
DARK: Final[str] = "#252525"
MID: Final[str] = "#636363"
BAND: Final[str] = "rgba(146, 197, 222, 0.35)"  # RdBu light blue, translucent
ORANGE: Final[str] = "#e08214"  # ColorBrewer PuOr, distinct from RdBu under deuteranopia
RDBU: Final[list[list[float | str]]] = [
    [0.0, "#2166ac"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1.0, "#b2182b"],
]


def weekday_names(lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """Abbreviated weekday names, Monday first, in ``lang`` (from Babel's CLDR data).

    Examples
    --------
    >>> weekday_names("fr")[:2]
    ['lun.', 'mar.']
    """
    names = babel_dates.get_day_names("abbreviated", context="stand-alone", locale=lang)
    return [str(names[k]) for k in range(7)]


def month_names(lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """Abbreviated month names, January first, in ``lang`` (from Babel's CLDR data).

    Examples
    --------
    >>> month_names("en")[6]
    'Jul'
    """
    names = babel_dates.get_month_names("abbreviated", context="stand-alone", locale=lang)
    return [str(names[k]) for k in range(1, 13)]


#: The only tags a chart keeps: plotly's formatting, which can neither link nor load.
_FORMATTING = r"(?:br\s*/?|/?(?:b|i|em|sup|sub|extra))"
_NOT_FORMATTING = re.compile(rf"<(?!{_FORMATTING}>)", re.IGNORECASE)


def inert_text(text: str) -> str:
    """Chart text with every ``<`` that does not open plotly formatting escaped.

    Plotly draws ``<a href="…">`` in titles, tick labels, legends and hover texts as
    a live link: an offence named ``<a href="https://host">Burglary</a>`` became
    clickable in the report's charts. ``<br>``, ``<b>``, ``<i>``, ``<sup>``,
    ``<sub>``, ``<em>`` and ``<extra>`` stay (they only format).

    Examples
    --------
    >>> inert_text('<a href="https://host">Burglary</a><br>p = 0.01')
    '&lt;a href="https://host">Burglary&lt;/a><br>p = 0.01'
    """
    return _NOT_FORMATTING.sub("&lt;", text)


def inert(fig: go.Figure) -> go.Figure:
    """Make every text of ``fig`` (titles, categories, names, hover texts) inert; in place.

    Every figure function of the library passes its figure through here (through
    :func:`layout` or directly), so text from data never acts in a chart, on a page
    or in a report. Numbers are left alone.
    """
    for trace in fig.data:
        trace.update(_inert(trace.to_plotly_json()), overwrite=True)
    fig.update_layout(_inert(fig.layout.to_plotly_json()), overwrite=True)
    return fig


def _inert(value: Any) -> Any:
    if isinstance(value, str):
        return inert_text(value) if "<" in value else value
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items() if k != "template"}
    if isinstance(value, list | tuple):
        return type(value)(_inert(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return np.array([_inert(v) for v in value.ravel()], dtype=object).reshape(value.shape)
    return value


def layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3},
    )
    return inert(fig)


def offence_title(offence: str | None, lang: str) -> str:
    return i18n.t("charts.all_offences", lang) if offence is None else i18n.term(offence, lang)
