"""The request-shape table: one module per API area, each with a ``ROWS`` list.

Every module of this package is collected (a new area is a new file here with ``ROWS = [...]``);
:data:`ROWS` is all of them. Used by ``tests/test_request_shapes.py`` (the requests each call
sends) and ``tests/test_openapi_requests.py`` (those requests against the OpenAPI document).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from support.table import Row

__all__ = ["ROWS"]


def _collect() -> list[Row]:
    rows: list[Row] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rows.extend(module.ROWS)
    return rows


ROWS: list[Row] = _collect()
