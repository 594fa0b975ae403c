"""What every chart of the library shares: colours, axis layout, day and month names.

Colours come from scales that survive colour-blindness and a projector: viridis
for counts, ColorBrewer RdBu (diverging, centred on "no effect") for ratios and
changes, and marks that differ in shape as well as colour (triangles up and
down) wherever colour carries meaning.
"""

from __future__ import annotations

from typing import Final

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


def layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3},
    )
    return fig


def offence_title(offence: str | None, lang: str) -> str:
    return i18n.t("charts.all_offences", lang) if offence is None else i18n.term(offence, lang)
