"""``python -m ilp_core``: the ``ilp`` command (``--help`` lists the commands and exit codes)."""

import sys

from ilp_core.cli import main

sys.exit(main())
