"""``python -m comfydsl.cli``: the ``comfydsl`` command."""

import sys

from comfydsl.cli.main import main

sys.exit(main())
