"""The exception tree. What the caller does next decides the class.

::

    B3OSError
     ├── ConfigurationError (also ValueError)   missing key, bad base URL, invalid id, misuse,
     │    │                                     a body that cannot be JSON (``path`` names it)
     │    └── ConfigurationTypeError (also TypeError)   a setting of the wrong type
     ├── APIConnectionError                     network failure, after retries
     │    └── APITimeoutError                   a timeout, after retries
     ├── APIStatusError                         the API answered with an error status
     │    ├── BadRequestError          400
     │    ├── AuthenticationError      401      key missing, invalid, expired or revoked
     │    ├── InsufficientCreditsError 402      not enough compute units (CU)
     │    ├── PermissionDeniedError    403      key lacks scope / org access
     │    ├── NotFoundError            404      missing or not visible to this org
     │    ├── ConflictError            409      version conflict or wrong state
     │    ├── RateLimitError           429      carries ``retry_after``
     │    └── InternalServerError      5xx
     ├── ResponseValidationError                a body that is not JSON, or does not fit the model
     │    └── ResponseTooLargeError             a body larger than ``max_response_size``
     ├── StreamError                            SSE protocol violation, resume impossible,
     │                                          reconnect budget spent
     ├── CaddieError                            a Caddie chat turn ended with an ``error`` event
     └── WebhookVerificationError               bad or missing execution-hook signature

Rules kept here:

* Every error pickles (``__reduce__``), so errors cross process pools and task queues intact.
* ``repr()`` and ``str()`` never contain a credential: URLs are passed through :func:`redact_url`
  before they are stored, and API keys are only ever shown as ``b3sk_…abcd``. What a server
  sends back (``details``, response ``headers``, ``code``, request id) is redacted too
  (:func:`redact_value`, :func:`redact_headers`): a server may echo the key it received.
* Credentials in query strings are the values of parameters named like one: ``secret``,
  ``token``, ``key``, ``apikey``, ``keys``, ``code``, ``sig``, ``signature``, ``password``, any
  name ending in ``secret`` or ``token``, and any ending in ``_key`` / ``-key`` / ``.key``
  (``api_key``, ``pagination_bypass_key`` ...; not ``monkey``).
* Errors that come from HTTP carry ``method``, ``url`` (redacted) and ``attempts``; status
  errors also carry ``status``, ``code``, ``message``, ``details``, ``request_id`` and response
  ``headers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The redaction helpers live in a leaf module of their own; they are re-exported here, where the
# rest of the package (and older code) imports them from.
from b3os_async._redact import (
    is_secret_name,
    redact_header,
    redact_headers,
    redact_key,
    redact_text,
    redact_url,
    redact_value,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "B3OSError",
    "BadRequestError",
    "CaddieError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "ConflictError",
    "InsufficientCreditsError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "StreamError",
    "WebhookVerificationError",
    "is_secret_name",
    "redact_header",
    "redact_headers",
    "redact_key",
    "redact_text",
    "redact_url",
    "redact_value",
    "status_error_class",
]


def _restore(cls: type[B3OSError], message: str, state: dict[str, Any]) -> B3OSError:
    """Unpickle an error without calling its keyword-only ``__init__``."""
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class B3OSError(Exception):
    """Base class of every error this SDK raises on purpose."""

    message: str

    def __init__(self, message: str) -> None:
        message = redact_text(message)
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args[0] if self.args else "", dict(self.__dict__)))

    def __str__(self) -> str:
        # The full text (what happened, what to do); `message` may be shorter (see APIStatusError).
        return str(self.args[0]) if self.args else self.message

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._repr_fields() if v is not None)
        return f"{type(self).__name__}({fields})"

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("message", self.message)]


class ConfigurationError(B3OSError, ValueError):
    """The client was configured or called in a way that cannot work (raised before any I/O).

    ``path`` names the field of a request body that cannot be sent as JSON
    (``"payload.items[2].when"``); it is None for other mistakes.
    """

    path: str | None

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("message", self.message), ("path", self.path)]


class ConfigurationTypeError(ConfigurationError, TypeError):
    """A setting or argument of the wrong type (``retry=3``). Also a ``TypeError``, as Python's
    own type mistakes are, so that both ``except TypeError`` and ``except B3OSError`` see it."""


class _HTTPContextError(B3OSError):
    """Shared fields of errors that happened while making an HTTP request."""

    method: str | None
    url: str | None
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: object | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = redact_url(url) if url is not None else None
        self.attempts = attempts

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("message", self.message),
            ("method", self.method),
            ("url", self.url),
            ("attempts", self.attempts),
        ]


class APIConnectionError(_HTTPContextError):
    """The request did not get an HTTP answer (DNS, refused, reset, TLS...), after all retries."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read or overall), after all retries."""


class APIStatusError(_HTTPContextError):
    """The API answered with an error status. Subclasses name the common statuses.

    ``str(err)`` is the whole story (request, status, the API's message and code, what to do,
    attempts, request id); ``err.message`` is the API's own message only (e.g. ``"workflow
    'wf_1' not found"``), or a short excerpt when the body was not a B3OS error (an HTML page).
    """

    status: int
    code: int | str | None
    details: Sequence[Any]
    request_id: str | None
    headers: Mapping[str, str]

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        details: Sequence[Any] | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: object | None = None,
        attempts: int = 1,
        headers: Mapping[str, str] | None = None,
        api_message: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, attempts=attempts)
        if api_message is not None:
            self.message = redact_text(api_message)
        self.status = status
        self.code = redact_text(code) if isinstance(code, str) else code
        # What the server sent back, redacted: a server (or proxy) may echo the key it received.
        self.details = redact_value(list(details or []))
        self.request_id = redact_text(request_id) if request_id is not None else None
        # Only response headers are kept (never request headers), redacted all the same.
        self.headers = redact_headers(headers)

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("status", self.status),
            ("code", self.code),
            ("message", self.message),
            ("request_id", self.request_id),
            ("method", self.method),
            ("url", self.url),
            ("attempts", self.attempts),
        ]


class BadRequestError(APIStatusError):
    """400: the request was invalid (see ``code`` and ``details``)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, invalid, expired or revoked."""


class InsufficientCreditsError(APIStatusError):
    """402: the organization does not have enough compute units (CU) for this operation."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but lacks permission (a ``read`` key writing, or no org context)."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist, or is not visible in this organization."""


class ConflictError(APIStatusError):
    """409: a version conflict (optimistic locking) or an operation invalid in the current state."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds, when given."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [*super()._repr_fields(), ("retry_after", self.retry_after)]


class InternalServerError(APIStatusError):
    """5xx: the API (or a proxy in front of it) failed."""


class ResponseValidationError(B3OSError):
    """The response body was not JSON, or did not fit the expected model.

    ``path`` names the failing field (``"data.items[3].status"``); ``excerpt`` holds the first
    characters of a body that was not JSON; ``status`` and ``request_id`` come from the response.
    """

    path: str | None
    excerpt: str | None
    status: int | None
    request_id: str | None
    content_type: str | None

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        excerpt: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.excerpt = redact_text(excerpt) if excerpt is not None else None
        self.status = status
        self.request_id = request_id
        self.content_type = content_type

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("message", self.message),
            ("path", self.path),
            ("status", self.status),
            ("request_id", self.request_id),
        ]


class ResponseTooLargeError(ResponseValidationError):
    """The response body was larger than ``max_response_size`` (default 64 MiB).

    ``limit`` is the setting in force; ``size`` the ``Content-Length`` the server declared, or
    the bytes read before reading stopped (the body was not read further). Raise the limit with
    ``B3OS(max_response_size=...)``, or for some calls ``b3.with_options(max_response_size=...)``
    (``None``: no limit).
    """

    limit: int
    size: int

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        size: int,
        status: int | None = None,
        request_id: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, content_type=content_type)
        self.limit = limit
        self.size = size

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [*super()._repr_fields(), ("limit", self.limit), ("size", self.size)]


class StreamError(B3OSError):
    """An event stream broke its protocol, could not be resumed, or spent its reconnect budget."""


class CaddieError(B3OSError):
    """Caddie ended a chat turn with an ``error`` event: the turn has no result.

    ``message`` is Caddie's own message; ``request_id`` and ``conversation_id`` name the turn
    (``request_id`` is the chat's client-generated UUID, not an HTTP request id); ``data`` is the
    event's raw JSON.
    """

    request_id: str | None
    conversation_id: str | None
    data: Any

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        conversation_id: str | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.conversation_id = conversation_id
        self.data = data

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("message", self.message),
            ("request_id", self.request_id),
            ("conversation_id", self.conversation_id),
        ]


class WebhookVerificationError(B3OSError):
    """An execution-hook request failed verification; ``reason`` says which check.

    ``reason`` is ``missing_signature``, ``malformed_signature``, ``signature_mismatch`` or
    ``invalid_payload`` (signed, but not a hook event). The message never holds a secret or the
    signature received.
    """

    reason: str

    def __init__(self, message: str, *, reason: str = "signature_mismatch") -> None:
        super().__init__(message)
        self.reason = reason

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("message", self.message), ("reason", self.reason)]


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """Return the most specific :class:`APIStatusError` subclass for an HTTP status."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)
