"""Building request paths safely, and client-generated run ids.

Every id that goes into a path is percent-encoded as exactly ONE segment: ``/``, ``?``, ``#``,
``%`` and every other reserved or non-ASCII character is escaped, and the dot segments ``.`` and
``..`` (which URL normalisation would otherwise resolve away) become ``%2E`` and ``%2E%2E``. So no
id -- ``../admin``, ``a/b``, ``?x`` -- can ever change which endpoint is called. The session sends
the result as an already-encoded URL so that nothing re-normalises it on the way out.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from b3os_async._errors import ConfigurationError, ConfigurationTypeError
from b3os_async._transport.json_parser import int_to_text

__all__ = ["RUN_ID_PATTERN", "check_method", "check_run_id", "encode_segment", "new_run_id", "path"]

#: The shape of a valid run id (the API requires the ``run_`` prefix; the rest is our safe subset).
RUN_ID_PATTERN = re.compile(r"run_[A-Za-z0-9_-]{1,128}")


def encode_segment(value: object) -> str:
    """Percent-encode ``value`` (str or int) as one path segment. Empty values are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ConfigurationError(f"path ids must be strings, got {type(value).__name__}")
    if isinstance(value, int):
        try:
            text = int_to_text(value)
        except ValueError as exc:
            raise ConfigurationError(f"invalid id: {exc}") from None
    else:
        text = str.__str__(value)
    if not text:
        raise ConfigurationError("an id used in a request path must not be empty")
    # safe="" escapes "/" too; quote() keeps the unreserved set A-Z a-z 0-9 - . _ ~ as is.
    try:
        encoded = quote(text, safe="")
    except UnicodeEncodeError:
        raise ConfigurationError(
            f"invalid id {text[:40]!r}: it holds a lone surrogate, which UTF-8 cannot encode"
        ) from None
    if encoded in (".", ".."):
        # A segment of only dots is a "dot segment" that clients and servers resolve away.
        encoded = "%2E" * len(encoded)
    return encoded


def path(template: str, *ids: object) -> str:
    """Fill the ``{}`` placeholders of ``template`` with ids, each encoded as one segment.

    >>> path("/v1/runs/{}/nodes/{}/resume", "run_1", "a/b")
    '/v1/runs/run_1/nodes/a%2Fb/resume'
    """
    if not isinstance(template, str):
        raise ConfigurationTypeError(
            f"a request path must be a string, got {type(template).__name__}"
        )
    pieces = template.split("{}")
    if len(pieces) - 1 != len(ids):
        raise ConfigurationError(
            f"path template {template!r} has {len(pieces) - 1} placeholders, got {len(ids)} ids"
        )
    out = [pieces[0]]
    for value, piece in zip(ids, pieces[1:], strict=True):
        out.append(encode_segment(value))
        out.append(piece)
    return "".join(out)


def new_run_id() -> str:
    """Return a fresh client-generated run id: ``run_`` followed by 24 random hex characters.

    Generate it before triggering a run: subscribe to the run's stream with it first, and resend
    the trigger safely (a duplicate is rejected by the API instead of starting a second run).
    """
    # os.urandom is what secrets.token_hex uses; importing `secrets` (and with it `random`,
    # `hashlib`, `base64`) would cost more import time than the rest of this module.
    return "run_" + os.urandom(12).hex()


def check_run_id(run_id: object) -> str:
    """Return ``run_id`` if it is a valid run id, else raise :class:`ConfigurationError`.

    Valid: ``run_`` followed by 1-128 letters, digits, ``_`` or ``-``.
    """
    if not isinstance(run_id, str):
        raise ConfigurationError(f"a run id must be a string, got {type(run_id).__name__}")
    if RUN_ID_PATTERN.fullmatch(run_id) is None:
        shown = run_id if len(run_id) <= 40 else run_id[:40] + "…"
        if not run_id.startswith("run_"):
            why = "run ids must start with 'run_' (use b3os_async.new_run_id())"
        else:
            why = "after 'run_' only 1-128 letters, digits, '_' or '-' are allowed"
        raise ConfigurationError(f"invalid run id {shown!r}: {why}")
    return run_id


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def check_method(method: object) -> str:
    """Return ``method`` upper-cased if it is an HTTP method the API uses, else raise."""
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise ConfigurationError(
            f"invalid HTTP method {method!r}: expected one of {', '.join(sorted(_METHODS))}"
        )
    return method.upper()
