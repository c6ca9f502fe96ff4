"""Benchmarks for b3os-async: ``python -m benchmarks`` (see ``benchmarks/README.md``).

Every scenario measures b3os-async and its competitors in the same process run, against the same
local server and the same bytes, and reports ratios. These are benchmarks, not timed tests: CI only
checks that ``python -m benchmarks --quick`` runs to completion.
"""
