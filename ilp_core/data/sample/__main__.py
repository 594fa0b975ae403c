"""``python -m ilp_core.data.sample``: regenerate ``data/sample/`` (``--help`` for options)."""

import sys

from ilp_core.data.sample import main

sys.exit(main())
