r"""Text from data made inert for the markup it is shown in: Markdown, HTML, chart labels.

One rule for the whole application: **text that comes from data (a file name, an
offence type, a column name, a restored session, an analyst's note) never reaches
Markdown or HTML as markup**. Streamlit renders every message (``st.markdown``,
``st.warning``, ``st.caption``...) as Markdown, so an offence named
``![x](https://host/beacon.png)`` would make every viewer's browser fetch that
image, and ``[click](https://host)`` would become a live link. The catalog's own
templates may use Markdown (bold words); the values put into them may not:
:meth:`ilp_core.errors.Message.render` takes ``escape=markdown`` and escapes its
parameters only.

Functions
---------
:func:`markdown`
    Every ASCII punctuation character backslash-escaped (CommonMark lets any of
    them be escaped, and an escaped one is shown as itself): no link, image,
    emphasis, heading, HTML tag, autolink (``https\://``, ``www\.``), Streamlit
    shortcode (``:material/…:``, ``:red[…]``) or LaTeX (``$``) survives. Line
    breaks become spaces, so a value cannot start a block of its own. Streamlit's
    renderer also links GFM's autolink literals (``https://…``, ``www.…``, e-mail
    addresses) found in the text after its escapes are read, so an invisible WORD
    JOINER (U+2060) follows the scheme, ``www`` and ``@``: the text reads the same
    and no longer matches.
:func:`html`
    ``&``, ``<``, ``>``, ``"`` and ``'`` as entities.
:func:`label`
    A chart label (plotly renders a subset of HTML in labels and hover texts:
    ``<a href>`` makes a link): HTML-escaped, and cut to a length a chart can show.
"""

from __future__ import annotations

import html as _html
import re
import string
from typing import Any, Final

__all__ = ["LABEL_MAX", "html", "label", "markdown"]

_MARKDOWN: Final = str.maketrans(
    {**{c: "\\" + c for c in string.punctuation}, "\r": " ", "\n": " ", "\u2028": " "}
)
#: Where GFM's autolink literals start (mdast-util-gfm-autolink-literal: ``https?://``,
#: ``www.``, ``user@host.tld``); a WORD JOINER after each breaks them.
_AUTOLINK: Final = re.compile(r"(?i)(https?(?=:)|www(?=\.)|@)")
_JOINER: Final = "\u2060"
#: Longest chart label shown in full (characters); longer ones end with "…".
LABEL_MAX: Final[int] = 60


def markdown(value: Any) -> str:
    r"""Return ``value`` as text that Markdown shows literally.

    Examples
    --------
    >>> markdown("![x](https://host/t.png)")
    '\\!\\[x\\]\\(https\u2060\\:\\/\\/host\\/t\\.png\\)'
    >>> markdown("Robbery (street)")
    'Robbery \\(street\\)'
    """
    return _AUTOLINK.sub(r"\1" + _JOINER, str(value)).translate(_MARKDOWN)


def html(value: Any) -> str:
    """Return ``value`` with the characters HTML gives a meaning escaped.

    Examples
    --------
    >>> html('<a href="https://host">x</a>')
    '&lt;a href=&quot;https://host&quot;&gt;x&lt;/a&gt;'
    """
    return _html.escape(str(value), quote=True)


def label(value: Any, limit: int = LABEL_MAX) -> str:
    """Return a chart label from data: HTML-escaped and at most ``limit`` characters long.

    Plotly renders ``<a href>``, ``<b>``, ``<br>`` in axis labels, legends and
    hover texts: escaped, a link in an offence name stays text. The cut is made
    before escaping, so an entity is never split.

    Examples
    --------
    >>> label('<a href="https://host">Burglary</a>')
    '&lt;a href=&quot;https://host&quot;&gt;Burglary&lt;/a&gt;'
    >>> len(label("x" * 700))
    60
    """
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html(text)
