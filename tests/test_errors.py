"""The exception tree: status mapping, pickling, redaction, and error_from_response messages."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from b3os_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    B3OSError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    WebhookVerificationError,
)
from b3os_async._errors import redact_key, redact_url, status_error_class
from b3os_async._transport.errors import body_excerpt, error_from_response

KEY = "b3sk_prod_9f8e7d6c5b4a39281706ZYXW"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (410, APIStatusError),
        (422, APIStatusError),
    ],
)
def test_status_error_class(status: int, cls: type[APIStatusError]) -> None:
    """Each status maps to its most specific class; unnamed 4xx fall back to APIStatusError."""
    assert status_error_class(status) is cls


def test_tree_shape() -> None:
    """Families share the documented bases (timeouts are connection errors, config ValueError)."""
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(ConfigurationError, ValueError)
    for cls in (APIStatusError, ResponseValidationError, StreamError, WebhookVerificationError):
        assert issubclass(cls, B3OSError)
    assert issubclass(InsufficientCreditsError, APIStatusError)


def _status_error(cls: type[APIStatusError], **extra: Any) -> APIStatusError:
    return cls(
        "it failed",
        status=402,
        code=402001,
        details=[{"field": "x"}],
        request_id="req-1",
        method="POST",
        url="https://api.b3os.org/v1/runs?secret=abc",
        attempts=3,
        headers={"X-Request-ID": "req-1"},
        **extra,
    )


@pytest.mark.parametrize(
    "cls", [APIStatusError, InsufficientCreditsError, ConflictError, InternalServerError]
)
def test_status_errors_pickle_with_all_fields(cls: type[APIStatusError]) -> None:
    """A status error survives pickling with its class and every field."""
    err = _status_error(cls)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert vars(copy) == vars(err)
    assert str(copy) == str(err)
    assert copy.attempts == 3


def test_rate_limit_error_pickles_retry_after() -> None:
    """RateLimitError keeps retry_after through pickling."""
    copy = pickle.loads(pickle.dumps(_status_error(RateLimitError, retry_after=12.0)))
    assert isinstance(copy, RateLimitError)
    assert copy.retry_after == 12.0
    assert copy.status == 402


@pytest.mark.parametrize(
    "err",
    [
        APIConnectionError("down", method="GET", url="https://h/v1", attempts=2),
        APITimeoutError("slow", method="GET", url="https://h/v1", attempts=4),
        ResponseValidationError(
            "bad", path="data.id", excerpt="<x>", status=200, request_id="r", content_type="t/h"
        ),
        ConfigurationError("no key"),
        StreamError("broken"),
    ],
)
def test_other_errors_pickle(err: B3OSError) -> None:
    """Connection, timeout, validation, configuration and stream errors pickle intact."""
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert vars(copy) == vars(err)


def test_repr_and_str_redact_secrets() -> None:
    """A key in the message and a secret query value never appear in str() or repr()."""
    err = APIStatusError(
        f"server echoed Authorization: Bearer {KEY}",
        status=401,
        url="https://api.b3os.org/v1/runs/run_1/nodes/n/resume?secret=topsecret&x=1",
    )
    for text in (str(err), repr(err), repr(pickle.loads(pickle.dumps(err)))):
        assert KEY not in text
        assert "topsecret" not in text
    assert err.url is not None
    assert "x=1" in err.url


def test_redact_key_shows_last_four_only() -> None:
    """redact_key shows b3sk_… plus the last four characters (none for short keys)."""
    assert redact_key(KEY) == "b3sk_…ZYXW"
    assert redact_key("b3sk_short") == "b3sk_…"
    assert redact_key(None) == "<none>"


def test_redact_url_userinfo() -> None:
    """Credentials in a URL's userinfo are removed."""
    assert redact_url("https://user:pw@h/x") == "https://<redacted>@h/x"


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("https://h/v1/x?Secret=abc&x=1", "abc"),
        ("https://h/v1/x?a=1&TOKEN=abc", "abc"),
        ("https://h/v1/x?a=1&Sig=abc", "abc"),
        ("https://h/v1/keys/b3sk_live_abcdef", "abcdef"),
        ("https://u:abc@h/v1/x", "abc"),
    ],
)
def test_redact_url_finds_secrets_in_any_case(url: str, hidden: str) -> None:
    """Secret query values (in any case), API keys and userinfo are removed from a URL."""
    assert hidden not in redact_url(url)


def test_redact_url_leaves_a_clean_url_as_it_is() -> None:
    """A URL with nothing secret comes back unchanged (keys merely ending in 'key' included)."""
    url = "https://h/v1/runs?status=success&limit=20&offset=0&monkey=1"
    assert redact_url(url) == url


# -- error_from_response -----------------------------------------------------------------------


def _from(status: int, body: bytes, **kw: Any) -> APIStatusError:
    kw.setdefault("headers", {})
    return error_from_response(
        status=status, reason="Reason", body=body, method="GET", url="https://h/v1/x", **kw
    )


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (401, "Check B3OS_API_KEY"),
        (402, "top up compute units"),
        (403, "read-write scope"),
        (409, "fetch it again"),
        (503, "retry later"),
    ],
)
def test_messages_say_what_to_do(status: int, hint: str) -> None:
    """Error messages carry a hint on what to do next for the common statuses."""
    assert hint in str(_from(status, b'{"code": 1, "message": "m"}'))


def test_rate_limit_message_names_wait() -> None:
    """A 429 message says how long to wait when Retry-After was given."""
    err = _from(429, b"", retry_after=3.0)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 3.0
    assert "retry after 3 s" in str(err)


def test_request_id_header_lookup_is_case_insensitive() -> None:
    """The X-Request-ID header is found whatever its case when the body has no requestId."""
    assert _from(500, b"", headers={"x-request-id": "abc"}).request_id == "abc"


def test_body_request_id_wins_over_header() -> None:
    """The body's requestId is preferred to the X-Request-ID header."""
    err = _from(400, b'{"message": "m", "requestId": "body"}', headers={"X-Request-ID": "hdr"})
    assert err.request_id == "body"


def test_attempts_in_message_and_field() -> None:
    """The number of attempts is kept on the error and mentioned in its message."""
    err = _from(503, b"", attempts=3)
    assert err.attempts == 3
    assert "[3 attempts]" in str(err)


def test_excerpt_strips_html_and_truncates() -> None:
    """body_excerpt drops tags, scripts and extra whitespace and keeps at most 200 characters."""
    page = b"<html><script>var k=1;</script><p>Service\n\n Unavailable &amp; more</p>" + b"y" * 400
    excerpt = body_excerpt(page)
    assert excerpt.startswith("Service Unavailable & more")
    assert "var k" not in excerpt
    assert len(excerpt) <= 200
    assert excerpt.endswith("…")


def test_secret_query_values_in_free_text_are_redacted() -> None:
    """A URL quoted inside a message loses its ``secret=``/``token=`` values, nothing else."""
    err = APIConnectionError("GET http://h/v1/runs/run_1/nodes/n/resume?secret=s3cr3t&x=1 failed")
    assert "s3cr3t" not in str(err)
    assert "s3cr3t" not in repr(err)
    assert "?secret=<redacted>&x=1" in str(err)


def test_status_error_message_is_the_apis_own_and_str_tells_the_whole_story() -> None:
    """``err.message`` is the API's message; ``str(err)`` adds the request, code and hint."""
    body = b'{"code": 404002, "message": "workflow \'wf_1\' not found", "requestId": "req_1"}'
    err = error_from_response(
        status=404, reason="Not Found", headers={}, body=body, method="GET", url="https://h/v1/x"
    )
    assert err.message == "workflow 'wf_1' not found"
    assert "GET https://h/v1/x -> 404" in str(err)
    assert "404002" in str(err)
    assert "req_1" in str(err)
    restored = pickle.loads(pickle.dumps(err))
    assert (restored.message, str(restored)) == (err.message, str(err))
