"""What a report is made of: blocks, sections, the report itself, and the constants.

:class:`Report` is plain data (sections of :class:`Text`, :class:`Table`,
:class:`Figure` and :class:`MapBlock` blocks) that the HTML and PDF renderers
draw. What the user produced in the session comes in as a
:class:`~ilp_core.products.workspace.Workspace`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, get_args

import pandas as pd

SectionKey = Literal[
    "data",
    "findings",
    "where",
    "when",
    "near_repeat",
    "outlook",
    "priorities",
    "allocation",
    "intelligence",
    "strategy",
    "methods",
]
#: The sections of a report, in their order.
SECTIONS: Final[tuple[str, ...]] = get_args(SectionKey)
#: The product tables a report reads from the workspace
#: (:data:`ilp_core.products.workspace.TABLES`).
PRODUCT_TABLES: Final[tuple[str, ...]] = ("intel_log", "requirements", "strategy", "pestel", "swot")
PILLARS: Final[tuple[str, ...]] = ("prevention", "intelligence", "enforcement", "reassurance")
PESTEL: Final[tuple[str, ...]] = (
    "political",
    "economic",
    "social",
    "technological",
    "environmental",
    "legal",
)
SWOT: Final[tuple[str, ...]] = ("strengths", "weaknesses", "opportunities", "threats")
#: Hot-spot classes counted as "hot" in the findings (95 % confidence or more).
HOT_CLASSES: Final[tuple[str, ...]] = ("hot_99", "hot_95")
#: Rows of the longest tables shown (hot cells).
TOP_ROWS: Final[int] = 10
#: Problems whose scores are decomposed in a table (one column each).
TOP_PROBLEMS: Final[int] = 6
T = TypeVar("T")


@dataclass(frozen=True)
class Text:
    """A paragraph (``style``: ``p``, ``note``, ``bullet`` or ``warning``)."""

    text: str
    style: str = "p"
    block: str = "text"


@dataclass(frozen=True, eq=False)
class Table:
    """A table as shown, with the numbers behind it.

    Attributes
    ----------
    key
        Stable name (``"ranking"``, ``"offence_counts"``...).
    title
        Caption in the report's language.
    header
        Column headers in the report's language.
    kinds
        Per column: ``text``, ``number`` or ``count`` (incidents: subject to
        small-count suppression in a report for wider release).
    rows
        The cells as shown (formatted for the language, suppressed).
    data
        The values behind the rows with stable column names (suppressed cells
        are missing), for tests and downloads.
    note
        A sentence under the table.
    """

    key: str
    title: str
    header: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data: pd.DataFrame
    note: str = ""
    block: str = "table"


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart: ``kind`` names the drawing and ``data`` holds what it draws."""

    key: str
    title: str
    kind: str
    data: Any
    caption: str = ""
    block: str = "figure"


@dataclass(frozen=True, eq=False)
class MapBlock:
    """A map: ``kind`` (``hotspots``, ``change``, ``allocation``) and the layers it draws."""

    key: str
    title: str
    kind: str
    data: Mapping[str, Any]
    caption: str = ""
    block: str = "map"


Block = Text | Table | Figure | MapBlock


@dataclass(frozen=True, eq=False)
class Section:
    """One section: a key of :data:`SECTIONS`, its title and its blocks in order."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, eq=False)
class Report:
    """The strategic assessment's content, ready to render as HTML or PDF.

    Attributes
    ----------
    lang
        Language of every word and number.
    title, subtitle
        Title and the line under it (data and period).
    created
        Date of the report.
    wider_release, k
        Whether small counts are suppressed, and the threshold.
    notices
        The decision-support reminder and the release statement.
    findings
        The key findings, one sentence each.
    sections
        The sections chosen, in order.
    parameters
        Every method and parameter used, as JSON-ready values (the annex).
    fingerprint, version
        The data fingerprint and ``ilp_core.__version__``.
    """

    lang: str
    title: str
    subtitle: str
    created: dt.date
    wider_release: bool
    k: int
    notices: tuple[str, ...]
    findings: tuple[str, ...]
    sections: tuple[Section, ...]
    parameters: Mapping[str, Any]
    fingerprint: str
    version: str

    def section(self, key: str) -> Section | None:
        """The section ``key``, or None when it was not chosen."""
        return next((s for s in self.sections if s.key == key), None)

    def table(self, key: str) -> Table | None:
        """The table ``key`` wherever it is, or None."""
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table) and block.key == key:
                    return block
        return None

    def blocks(self, kind: type[T]) -> list[T]:
        """Every block of a type (``Table``, ``Figure``, ``MapBlock``, ``Text``)."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, kind)]
