"""The size limits of requests and responses, in one place (docs/limits.md lists them all).

Plain constants, no imports: the options module and the client facade read them without loading
aiohttp.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "ERROR_BODY_LIMIT",
    "MAX_INT_DIGITS",
    "MAX_JSON_DEPTH",
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

#: Request bodies may nest at most this many arrays/objects deep (deeper: ConfigurationError).
#: Responses are parsed as deep as Python's recursion limit allows (about 900 levels), deeper
#: ones raise ResponseValidationError.
MAX_JSON_DEPTH = 500
