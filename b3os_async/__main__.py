"""``python -m b3os_async``: the ``b3os`` command (see :mod:`b3os_async.cli`)."""

from __future__ import annotations

import sys

from b3os_async.cli import main

if __name__ == "__main__":
    sys.exit(main())
