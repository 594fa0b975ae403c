"""Loading incident exports and district boundaries: files in, canonical tables out.

An analyst uploads a messy real-world export (a police.uk street-level CSV, a
Chicago or San Francisco open-data export, a Russian Excel file in Windows-1251...)
on the Data page. Every data row is either accepted into the canonical incident
table (:mod:`ilp_core.data.schema`) or rejected with a reason a person can act on;
nothing is silently lost (``accepted + rejected == rows read``).

The steps, each a function:

1. :func:`read_table` reads any CSV/TSV, xlsx or Parquet file into text cells
   (encoding, delimiter, header row detected; nothing interpreted yet);
2. :func:`suggest_mapping` proposes which column holds which field (synonyms in
   ``ilp_core/config/column_synonyms.yaml``; known layouts recognised);
3. :func:`questions` lists what only the analyst can decide (day/month order,
   EPSG code of X/Y, swapped latitude/longitude);
4. :func:`offence_labels` lists the offence labels of the export, to classify
   them in the ICCS (:mod:`ilp_core.data.classify`): the confirmed classes are
   part of the mapping (``ColumnMapping.offence_classes``);
5. :func:`build_incidents` parses, checks and assembles the incidents, the
   rejects and the :class:`QualityReport` (spellings of one offence label that
   differ only in case or spacing become one label).

:func:`load_incidents` does all in one call (known exports' categories are
classified from their tables, other labels are left unclassified and listed);
:func:`load_boundaries` reads
district boundaries (GeoJSON, GeoPackage, zipped Shapefile). Uploads never touch
the disk.

Every file is checked against the upload limits (:mod:`ilp_core.limits`,
``ilp_core/config/limits.yaml``) before anything is unpacked or built, and read so
that memory follows the real content, never what the file declares: a zip's
directory (sizes, packing ratio, members) before a part is unpacked, a Parquet
file's metadata before a row group is read, an Excel sheet streamed cell by cell
(its declared dimension ignored), a CSV file's rows counted from its line breaks.
A file over a limit raises ``ingest.limit.*`` naming the limit, the file's value
and how to split the file.
"""

from ilp_core.data.ingest._boundaries import load_boundaries
from ilp_core.data.ingest._build import build_incidents, load_incidents, questions
from ilp_core.data.ingest._mapping import ColumnMapping, suggest_mapping
from ilp_core.data.ingest._offences import offence_labels
from ilp_core.data.ingest._reading import RawTable, read_table
from ilp_core.data.ingest._results import (
    REASONS,
    IngestResult,
    QualityReport,
    Question,
    reject_reason,
    rejects_for_display,
)

__all__ = [
    "REASONS",
    "ColumnMapping",
    "IngestResult",
    "QualityReport",
    "Question",
    "RawTable",
    "build_incidents",
    "load_boundaries",
    "load_incidents",
    "offence_labels",
    "questions",
    "read_table",
    "reject_reason",
    "rejects_for_display",
    "suggest_mapping",
]
