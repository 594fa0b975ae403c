r"""The ``ilp`` command: the jobs nobody should click through, on the app's library and store.

Units run the same steps every week: the records system drops an export at night,
the analyst loads it with last week's column mapping, and the weekly or quarterly
assessment goes out; administrators purge expired data and pull the audit. The
command does each on the same workspace store as the app (``ILP_DATABASE_URL``, or
the embedded database under ``ILP_DATA_DIR``: see :mod:`ilp_core.store`) and
through the same library calls, so its results are the app's::

    ilp load export.csv --mapping column-mapping.json --dataset "North unit"
    ilp report --dataset "North unit" --period last-quarter --assessment priorities.yaml \
        --format pdf --out assessment.pdf --lang fr
    ilp purge
    ilp audit --since 2025-01-01 --out audit.csv
    ilp users list | add ID --roles analyst | role ID --roles manager
    ilp sample

``python -m ilp_core`` is the same command. Messages and help come in the user's
language (``--lang``, else ``ILP_LANG``, else the locale); results go to stdout,
progress to stderr; a file is never overwritten without ``--force``; a command acts
as ``--user``/``ILP_USER`` (a user the store knows, with their roles) or, without
one, as the single local user, like the app without login; every action is audited
as the app's are.

Exit codes (:data:`EXIT_CODES`): 0 done; 1 usage error; 2 the file needs a
decision (an open question, an offence label without a class): answer it in the
app and save the mapping again; 3 refused input (a file that cannot be read, a
broken mapping or assessment); 4 not found or not allowed; 5 the output exists
(``--force`` replaces it).

Where each part lives: ``_common.py`` (exit codes, language, the store and its
actor, safe writing), ``_load.py``, ``_report.py``, ``_admin.py`` (purge, audit,
users), ``_sample.py``, ``_main.py`` (the parser and the error handling).
"""

from ilp_core.cli._common import EXIT_CODES
from ilp_core.cli._main import main, parser

__all__ = ["EXIT_CODES", "main", "parser"]
