"""Item 5: a body that cannot be JSON is one typed error naming the field, before any I/O.

And what can be converted is, exactly: aware datetimes as RFC 3339, Decimals and integers of any
size (up to 10,000 digits) with all their digits; NaN and Infinity are never sent.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import ConfigurationError, WorkflowNode
from b3os_async._transport.json_encoder import encode_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from hostile_server import HostileServer

    from b3os_async import B3OS

UTC = dt.timezone.utc


def _nested(depth: int) -> list[Any]:
    root: list[Any] = []
    current = root
    for _ in range(depth - 1):
        child: list[Any] = []
        current.append(child)
        current = child
    return root


def _circular_dict() -> dict[str, Any]:
    data: dict[str, Any] = {"a": {"b": []}}
    data["a"]["b"].append(data)
    return data


def _circular_list() -> list[Any]:
    items: list[Any] = [1, 2]
    items.append(items)
    return items


class Plain(enum.Enum):
    """An Enum that is neither str nor int."""

    A = "a-value"


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"payload": {"items": [0, 1, {"when": dt.datetime(2024, 5, 1)}]}},
         "payload.items[2].when", "naive datetime"),
        ({"tags": {"a", "b"}}, "tags", "a set has no order"),
        ({"tags": frozenset({"a"})}, "tags", "a set has no order"),
        ({"blob": b"\x00\x01"}, "blob", "bytes are not JSON"),
        ({"blob": bytearray(b"x")}, "blob", "bytes are not JSON"),
        ({"x": float("nan")}, "x", "nan is not a JSON number"),
        ({"x": [1.0, float("inf")]}, "x[1]", "inf is not a JSON number"),
        ({"x": -float("inf")}, "x", "-inf is not a JSON number"),
        ({"x": decimal.Decimal("NaN")}, "x", "not a JSON number"),
        ({"x": decimal.Decimal("-Infinity")}, "x", "not a JSON number"),
        ({"name": "ok\ud800"}, "name", "lone surrogate"),
        ({"bad\udfff": 1}, "['bad\\udfff']", "lone surrogate"),
        ({(1, 2): "tuple key"}, "", "cannot be a JSON object key"),
        ({"a": _circular_dict()}, "a.a.b[0]", "circular reference"),
        (_circular_list(), "[2]", "circular reference"),
        ({"x": object()}, "x", "a object is not supported"),
        ({"x": 1j}, "x", "a complex is not supported"),
        ({"x": (i for i in range(3))}, "x", "a generator is not supported"),
        ({"x": 10**10_001}, "x", "exceeds the SDK's limit of 10,000 digits"),
        ({"x with space": {"y": {1, 2}}}, "['x with space'].y", "a set has no order"),
    ],
)  # fmt: skip
def test_unencodable_values_name_their_field(body: Any, path: str, words: str) -> None:
    """Each value that cannot be JSON raises ConfigurationError with the field's path."""
    with pytest.raises(ConfigurationError) as info:
        encode_json(body)
    assert info.value.path == (path or None)
    assert isinstance(info.value, ValueError)  # ConfigurationError is one
    assert words in str(info.value)
    assert (path or "the request body") in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_nesting_5000_deep_is_a_typed_error(depth: int) -> None:
    """A body nested thousands of levels deep is refused as such, not a RecursionError."""
    with pytest.raises(ConfigurationError, match="levels deep") as info:
        encode_json({"deep": _nested(depth)})
    assert info.value.path is not None
    assert info.value.path.startswith("deep[0][0]")


def test_deep_nesting_with_a_value_to_convert_is_a_typed_error() -> None:
    """The slow path (a datetime inside) is as safe as the fast one at 5,000 levels."""
    deep = _nested(5_000)
    deep.append(dt.datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ConfigurationError, match="levels deep"):
        encode_json(deep)


def test_plain_data_is_encoded_as_json_dumps_compact_utf8() -> None:
    """Ordinary bodies are exactly json.dumps' compact output, in UTF-8 (no ASCII escaping)."""
    body = {"name": "café ✓", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
    expected = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    assert encode_json(body) == expected


def test_conversions_are_exact_and_documented() -> None:
    """datetime, date, Decimal, UUID, big ints, Enums and models become their documented JSON."""
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    body = {
        "when": dt.datetime(
            2024, 5, 1, 12, 0, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2))
        ),
        "day": dt.date(2024, 5, 1),
        "price": decimal.Decimal("0.1"),
        "wei": decimal.Decimal("123456789012345678901234567890.000000000000000001"),
        "small": decimal.Decimal("1E-7"),
        "uint256": 2**256 - 1,
        "huge": -(10**5_000) + 1,
        "id": ident,
        "kind": Plain.A,
        "node": WorkflowNode(type="echo", payload={"value": 1}),
        7: "int key",
        None: "none key",
    }
    text = encode_json(body).decode()
    assert '"when":"2024-05-01T10:00:00.500000Z"' in text
    assert '"day":"2024-05-01"' in text
    assert '"price":0.1,' in text
    assert '"wei":123456789012345678901234567890.000000000000000001,' in text
    assert '"small":1E-7,' in text
    assert f'"uint256":{2**256 - 1},' in text
    assert '"huge":-' + "9" * 5_000 + "," in text
    assert f'"id":"{ident}"' in text
    assert '"kind":"a-value"' in text
    assert '"node":{"type":"echo","payload":{"value":1}}' in text
    assert '"7":"int key"' in text
    assert '"null":"none key"' in text
    decoded = json.loads(text, parse_float=decimal.Decimal, parse_int=_big)
    assert decoded["wei"] == body["wei"]


def test_a_string_looking_like_a_placeholder_is_sent_unchanged() -> None:
    """Exact-number placeholders cannot capture a user's string (they carry a random nonce)."""
    body = {"s": "b3os-number-0000000000000000-0", "d": decimal.Decimal("2.5")}
    assert json.loads(encode_json(body)) == {"s": "b3os-number-0000000000000000-0", "d": 2.5}


async def test_bad_body_fails_before_any_request(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """b3.request(json=...) with a set raises ConfigurationError and sends nothing at all."""
    b3 = hostile_client()
    with pytest.raises(ConfigurationError) as info:
        await b3.request("POST", "/ok", json={"payload": {"ids": {1, 2}}})
    assert info.value.path == "payload.ids"
    assert hostile.requests == []


async def test_streams_encode_their_body_with_the_same_rules(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """A stream's request body goes through the same check, before anything is sent."""
    b3 = hostile_client()
    with pytest.raises(ConfigurationError) as info:
        await b3._manager.open_stream("/ok", b3._options, method="POST", json={"x": float("nan")})
    assert info.value.path == "x"
    assert hostile.requests == []


async def test_converted_body_reaches_the_server_exactly(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """What the server receives is valid JSON holding the exact converted values."""
    b3 = hostile_client()
    when = dt.datetime(2024, 5, 1, tzinfo=UTC)
    amount = 10**4_500 + 1  # more digits than Python's default int-to-text limit
    await b3.request(
        "POST", "/ok", json={"when": when, "amount": amount, "fee": decimal.Decimal("0.3")}
    )
    sent = hostile.requests[0]
    assert sent.headers["content-type"] == "application/json"
    decoded = json.loads(sent.body.decode(), parse_float=decimal.Decimal, parse_int=_big)
    assert decoded == {
        "when": "2024-05-01T00:00:00Z",
        "amount": amount,
        "fee": decimal.Decimal("0.3"),
    }


def _big(text: str) -> int:
    from b3os_async._transport.json_parser import int_from_text

    return int_from_text(text)
