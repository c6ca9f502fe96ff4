"""The size limits of requests and responses (docs/limits.md lists every limit of the SDK).

Plain constants, no imports: the options module and the client facade read them without loading
aiohttp.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "ERROR_BODY_LIMIT",
    "MAX_INT_DIGITS",
]

#: The largest response body read by default, in bytes (``max_response_size``; None: no limit).
#: Checked against ``Content-Length`` before reading, and counted while reading a chunked body.
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024

#: Error bodies (status >= 300) are read up to this many bytes: the message needs only the start,
#: and a proxy's 50 MiB error page must not cost 50 MiB. Streams use the same bound.
ERROR_BODY_LIMIT = 64 * 1024

#: Integers of up to this many decimal digits are parsed and sent exactly. Python refuses more
#: than 4,300 digits by default (``sys.get_int_max_str_digits``) because the conversion is
#: quadratic; uint256 amounts need 78. Larger integers are refused in both directions.
MAX_INT_DIGITS = 10_000

# JSON nesting has no constant of its own: bodies and responses nest as deep as Python's recursion
# limit lets the JSON encoder and parsers go (about 900 levels with the default limit of 1,000);
# deeper is a ConfigurationError (bodies) or a ResponseValidationError (responses).
