"""Every size, depth and count limit of the emulator, with its default, in one place.

Why the emulator has limits at all: it runs inside test suites and answers any local process, so
no request may freeze its event loop or make it hold memory without bound. Each limit below is
checked where the data enters (a request body, a definition, a rendered value), costs at most
linear time to check, and ends in a documented error (never a 500, never a hang):

* requests: too large -> 413 (413001); malformed or oversized request line or headers -> 400
  (400090); a JSON body nested too deeply -> 400002; an integer over ``MAX_INT_DIGITS`` digits,
  ``NaN`` or ``Infinity`` -> 400001; a typed integer field (a version, ``maxRuns``...) outside
  64 bits -> 400002; a paging value outside 64 bits -> 400003;
* definitions: more than ``MAX_NODES`` nodes or ``MAX_LINKS`` child/trigger links -> 400228;
  ``POST /v1/workflows/validate`` lists at most ``MAX_VALIDATION_ERRORS`` problems;
* runs: a node whose rendered input or result is larger than ``MAX_VALUE_BYTES`` or nested more
  than ``MAX_VALUE_DEPTH`` levels fails with code ``value_too_large``; a node that would take the
  run's state (every node's input and result, as ``GET /v1/runs/{id}`` sends them) over
  ``MAX_RUN_STATE_BYTES`` fails with code ``run_state_too_large``;
* the request log (``emu.requests``) keeps at most ``REQUEST_LOG_ENTRIES`` requests and
  ``REQUEST_LOG_BYTES`` bytes (oldest dropped first), and only requests with valid credentials.

Code reads these as ``_limits.NAME`` at call time (never ``from … import NAME``), so a test can
lower one with ``monkeypatch.setattr``. ``docs/limits.md`` lists them for users.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# -- requests --------------------------------------------------------------------------------

MAX_BODY_BYTES = 1 * MIB
"""Largest request body (aiohttp's ``client_max_size``); a larger one is answered 413001."""

MAX_LINE_BYTES = 8190
"""Longest request line (method, URL, version) and header line: aiohttp's defaults (400090)."""

MAX_HEADERS = 128
"""Most request headers: aiohttp's default (400090 beyond it)."""

MAX_JSON_DEPTH = 128
"""Deepest nesting of objects/arrays a request body may have (400002 beyond it)."""

MAX_INT_DIGITS = 10_000
"""Longest integer a JSON body may hold (the SDK sends up to 10,000 digits; 400001 beyond)."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
"""Typed integer fields and query parameters hold 64-bit integers, as the real (Go) server's."""

# -- definitions -----------------------------------------------------------------------------

MAX_NODES = 10_000
"""Most nodes in one workflow definition (400228 beyond it)."""

MAX_LINKS = 50_000
"""Most ``children`` entries plus ``triggerNodeIds`` entries in one definition (400228)."""

MAX_VALIDATION_ERRORS = 100
"""Most problems ``POST /v1/workflows/validate`` (and a 400228's ``details``) lists."""

# -- runs ------------------------------------------------------------------------------------

MAX_VALUE_BYTES = 1 * MIB
"""Largest rendered value (a node's resolved input or its result) as compact JSON text."""

MAX_VALUE_DEPTH = 256
"""Deepest nesting of a rendered value (results that embed results grow one level per node)."""

MAX_RUN_STATE_BYTES = 16 * MIB
"""Largest run state: every node's input and result as ``GET /v1/runs/{id}`` sends them."""

MAX_HTTP_RESPONSE_BYTES = MAX_VALUE_BYTES
"""Most bytes an ``http-request`` node reads of a response (the node fails beyond it)."""

# -- the request log -------------------------------------------------------------------------

REQUEST_LOG_ENTRIES = 10_000
"""Most requests ``emu.requests`` keeps."""

REQUEST_LOG_BYTES = 32 * MIB
"""Most bytes (bodies, headers, paths) ``emu.requests`` keeps."""

# -- messages --------------------------------------------------------------------------------

MAX_QUOTED_CHARS = 200
"""Longest excerpt of a caller's value quoted in an error message (cut with ``…``)."""
