"""``python -m benchmarks``: run the benchmark scenarios, print a table, write JSON."""

from __future__ import annotations

from benchmarks._cli import main

raise SystemExit(main())
