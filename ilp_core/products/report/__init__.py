"""The strategic assessment as one document: content, findings, and the offline HTML and PDF.

The last product of the intelligence-led policing cycle brings the steps
together for the people who decide: the data and their quality, what the
analyses found (in generated sentences), where and when crime concentrates, the
ranked priorities with the reasons for each rank, the allocation of officers,
what is still unknown (intelligence gaps and requirements), the control
strategy, and an annex of every method and parameter so that the figures can be
reproduced exactly.

:func:`build_report` computes the content once, in the user's language, from
the dataset and the session's work alone
(:class:`~ilp_core.products.workspace.Workspace`: the view, the settings of each
analysis, the priority assessment, the allocation scenario and the product
tables), as plain data (:class:`Report`: sections of text, tables, figures and
maps).
:func:`to_html` renders it as one self-contained HTML file that opens offline
(plotly.js and Leaflet inlined, no external address); :func:`to_pdf` renders the
same content as a PDF with static charts and maps. Neither embeds per-incident
data: the size of a report does not grow with the number of incidents.

With ``wider_release=True`` the report is prepared for readers outside the
police (:mod:`ilp_core.products.suppression`):

* counts of fewer than ``k`` incidents are shown as ``<k`` and further cells
  ``[c]`` are withheld so that no small count can be worked out from a total
  (in the hour x weekday heat map, from its row, column or grand totals:
  :func:`~ilp_core.products.suppression.suppress_masked`); stated totals are
  rounded to the nearest 10, in the text, the annex and its JSON record alike;
* the upload's file name is not published ("uploaded data" instead);
* rows and map cells with fewer than ``k`` incidents are left out of the
  hot-spot cells, district layers, ranked priorities and allocation;
* personal and sensitive fields are dropped: the intelligence log's entries
  (summaries, notes, areas, grades) and the intelligence held on each problem,
  owners' names, location identifiers (never in a report) and exact coordinates
  (the report maps only aggregates: districts and grid cells of ``k`` or more
  incidents);
* the report says that it did so.

Every report carries the reminder that rankings and allocations are decision
support built on recorded crime, with its known biases, not instructions.
Everything the user typed or uploaded (offence and district names, notes,
requirements, actions) is escaped: it shows as text and never runs as script.

Where each part lives:

=========================  =============================================================
``_content.py``            the blocks (:class:`Text`, :class:`Table`, :class:`Figure`,
                           :class:`MapBlock`), :class:`Section`, :class:`Report`,
                           :data:`SECTIONS` and the other constants
``_format.py``             numbers, dates and names in the report's language; count
                           columns and tables under the small-count suppression
``_analyses.py``           the analyses a report needs, computed from the dataset and
                           the workspace, each once and failing alone, and the rows of
                           each result a report publishes
``_findings.py``           the key findings, one sentence each
``_sections_data.py``      the data section: dataset, filters, quality, offences
``_sections_patterns.py``  where (hot spots, change, districts), when, near repeats
``_sections_decide.py``    priorities (each score explained) and the allocation
``_sections_products.py``  intelligence gaps and requirements, control strategy
``_methods.py``            the annex of methods and parameters, and its JSON record
``_build.py``              :func:`build_report`: options checked, the view filtered,
                           sections assembled
``_html.py``               :func:`to_html` (template ``ilp_core/templates/report.html.j2``),
                           :func:`plotly_figure`, :func:`folium_map`
``_pdf.py``                :func:`to_pdf`: ReportLab text, matplotlib charts and maps
=========================  =============================================================
"""

from ilp_core.products.report._build import build_report
from ilp_core.products.report._content import (
    HOT_CLASSES,
    PESTEL,
    PILLARS,
    PRODUCT_TABLES,
    SECTIONS,
    SWOT,
    TOP_PROBLEMS,
    TOP_ROWS,
    Block,
    Figure,
    MapBlock,
    Report,
    Section,
    SectionKey,
    Table,
    Text,
)
from ilp_core.products.report._html import folium_map, plotly_figure, to_html
from ilp_core.products.report._pdf import to_pdf

__all__ = [
    "HOT_CLASSES",
    "PESTEL",
    "PILLARS",
    "PRODUCT_TABLES",
    "SECTIONS",
    "SWOT",
    "TOP_PROBLEMS",
    "TOP_ROWS",
    "Block",
    "Figure",
    "MapBlock",
    "Report",
    "Section",
    "SectionKey",
    "Table",
    "Text",
    "build_report",
    "folium_map",
    "plotly_figure",
    "to_html",
    "to_pdf",
]
