"""``python -m rehab_eval`` is the same as the ``rehab-eval`` command."""

import sys

from rehab_eval.cli import main

sys.exit(main())
