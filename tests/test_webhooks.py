"""``b3os_async.webhooks``: signature checks, typed hook events, the dedupe helper (no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async import ConfigurationError, WebhookVerificationError
from b3os_async.webhooks import (
    HookDeduper,
    HookEvent,
    HookEventType,
    Verifier,
    parse,
    verify,
)

SECRET = "whsec_0123456789abcdef"
BODY = json.dumps(
    {
        "id": "evt_1",
        "eventType": "node.completed",
        "runId": "run_1",
        "workflowId": "wf_1",
        "nodeId": "fetch",
        "status": "success",
        "timestamp": "2025-01-02T03:04:05.678Z",
        "data": {"seq": 7, "result": {"price": 3100}},
    },
    separators=(",", ":"),
).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_correct_signature_verifies() -> None:
    """The lowercase hex HMAC-SHA256 of the raw body with the secret is accepted."""
    verify(BODY, sign(BODY), SECRET)


def test_a_wrong_secret_is_a_mismatch_that_names_no_secret() -> None:
    """A signature made with another secret raises reason signature_mismatch, secrets unsaid."""
    signature = sign(BODY, "whsec_other")
    with pytest.raises(WebhookVerificationError) as caught:
        verify(BODY, signature, SECRET)
    assert caught.value.reason == "signature_mismatch"
    for text in (str(caught.value), repr(caught.value)):
        assert SECRET not in text
        assert signature not in text


def test_a_missing_signature_says_so() -> None:
    """No header at all raises reason missing_signature and names the header."""
    with pytest.raises(WebhookVerificationError, match="x-b3os-signature") as caught:
        parse(BODY, {}, SECRET)
    assert caught.value.reason == "missing_signature"


@pytest.mark.parametrize("signature", ["abc", "z" * 64, sign(BODY)[:-1], " ", "sha256="])
def test_a_malformed_signature_is_refused_as_malformed(signature: str) -> None:
    """A value that is not 64 hex digits raises reason malformed_signature (blank: missing)."""
    with pytest.raises(WebhookVerificationError) as caught:
        verify(BODY, signature, SECRET)
    assert caught.value.reason in ("malformed_signature", "missing_signature")
    assert (caught.value.reason == "missing_signature") == (not signature.strip())


def test_upper_case_hex_and_a_sha256_prefix_are_tolerated() -> None:
    """``SHA256=<HEX>`` with surrounding spaces verifies like the plain lowercase digest."""
    verify(BODY, f"  sha256={sign(BODY).upper()} ", SECRET)


def test_any_of_several_secrets_verifies_during_rotation() -> None:
    """With the old and the new secret given, a signature by either is accepted."""
    for secret in ("whsec_old", "whsec_new"):
        verify(BODY, sign(BODY, secret), ["whsec_new", b"whsec_old"])


def test_a_re_encoded_body_no_longer_matches() -> None:
    """A body parsed and serialised again (other spacing) fails: verify the raw bytes."""
    reencoded = json.dumps(json.loads(BODY)).encode()
    with pytest.raises(WebhookVerificationError) as caught:
        verify(reencoded, sign(BODY), SECRET)
    assert caught.value.reason == "signature_mismatch"


def test_the_header_name_is_configurable_and_case_insensitive() -> None:
    """``header=`` picks another header, found in a plain dict whatever its case."""
    event = parse(BODY, {"X-Hook-Sig": sign(BODY)}, SECRET, header="x-hook-sig")
    assert event.id == "evt_1"
    with pytest.raises(WebhookVerificationError, match="x-hook-sig"):
        parse(BODY, {"x-b3os-signature": sign(BODY)}, SECRET, header="x-hook-sig")


def test_a_decoded_body_is_refused() -> None:
    """A ``str`` body is a programming error (ConfigurationError), not a failed signature."""
    with pytest.raises(ConfigurationError, match="raw request body as bytes"):
        verify(BODY.decode(), sign(BODY), SECRET)  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", ["", b"", [], ["ok", ""]])
def test_an_empty_secret_is_refused(secret: object) -> None:
    """An empty secret (or none) would accept forgeries: ConfigurationError."""
    with pytest.raises(ConfigurationError, match="non-empty"):
        Verifier(secret)  # type: ignore[arg-type]


def test_parse_returns_a_typed_event() -> None:
    """Every documented field is typed; the whole payload stays in ``data``."""
    event = parse(BODY, {"x-b3os-signature": sign(BODY)}, SECRET)
    assert event.type is HookEventType.NODE_COMPLETED
    assert (event.id, event.run_id, event.workflow_id, event.node_id, event.status) == (
        "evt_1", "run_1", "wf_1", "fetch", "success",
    )  # fmt: skip
    assert event.timestamp == datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    assert event.data["data"]["result"] == {"price": 3100}


def _signed(payload: object) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"x-b3os-signature": sign(body)}


def test_an_unknown_event_type_is_an_event() -> None:
    """A type this SDK does not know parses as a pseudo-member, not an error."""
    event = parse(*_signed({"eventType": "run.exploded", "runId": "run_1"}), SECRET)
    assert event.type == "run.exploded"
    assert event.type.is_known is False


@pytest.mark.parametrize("payload", [[1, 2], "text", {"runId": "run_1"}, {"eventType": 3}])
def test_a_genuine_body_that_is_no_event_is_invalid_payload(payload: object) -> None:
    """A correctly signed body that is not an object with an event type: invalid_payload."""
    with pytest.raises(WebhookVerificationError) as caught:
        parse(*_signed(payload), SECRET)
    assert caught.value.reason == "invalid_payload"


def test_fields_of_an_unexpected_type_are_none_and_kept_in_data() -> None:
    """``runId: 5`` or an unreadable timestamp give None; the raw values stay in ``data``."""
    event = parse(*_signed({"type": "run.failed", "runId": 5, "timestamp": "yesterday"}), SECRET)
    assert (event.type, event.run_id, event.timestamp) == ("run.failed", None, None)
    assert (event.data["runId"], event.data["timestamp"]) == (5, "yesterday")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"id": "evt_9", "runId": "run_1"}, "id:evt_9"),
        ({"executionId": "ex_1", "runId": "run_1"}, "execution:ex_1:run.failed"),
        ({"runId": "run_1", "nodeId": "n"}, "run:run_1:n:run.failed"),
    ],
)
def test_dedupe_key_follows_the_docs_advice(fields: dict[str, str], key: str) -> None:
    """Event id first, else execution id + type, else run id + node id + type."""
    event = HookEvent(
        type=HookEventType.RUN_FAILED,
        id=fields.get("id"),
        run_id=fields.get("runId"),
        execution_id=fields.get("executionId"),
        node_id=fields.get("nodeId"),
    )
    assert event.dedupe_key == key


def test_deduper_sees_a_redelivery() -> None:
    """The same event twice: the second is reported as seen."""
    deduper = HookDeduper()
    event = parse(BODY, {"x-b3os-signature": sign(BODY)}, SECRET)
    assert (deduper.seen(event), deduper.seen(event)) == (False, True)
    assert event in deduper


def test_deduper_is_bounded_and_forgets_the_oldest() -> None:
    """Past ``maxsize`` keys the oldest is forgotten; ``discard`` forgets one on demand."""
    deduper = HookDeduper(maxsize=2)
    events = [HookEvent(type=HookEventType.RUN_STARTED, id=f"e{i}") for i in range(3)]
    for event in events:
        deduper.add(event)
    assert (len(deduper), events[0] in deduper, events[2] in deduper) == (2, False, True)
    deduper.discard(events[2])
    assert events[2] not in deduper


def test_verifier_repr_and_error_pickle_keep_secrets_out() -> None:
    """A Verifier's repr counts its secrets; an error pickles with its reason."""
    assert SECRET not in repr(Verifier([SECRET, "whsec_b"]))
    error = WebhookVerificationError("bad", reason="malformed_signature")
    assert pickle.loads(pickle.dumps(error)).reason == "malformed_signature"


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2048), secret=st.text(min_size=1), flip=st.integers(0, 10**6))
def test_only_the_exact_body_verifies(body: bytes, secret: str, flip: int) -> None:
    """Any body verifies with its own signature; changing any one byte breaks it."""
    signature = sign(body, secret)
    verify(body, signature, secret)
    if body:
        index = flip % len(body)
        changed = body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]
        with pytest.raises(WebhookVerificationError):
            verify(changed, signature, secret)


def test_the_fast_hook_event_constructor_equals_attrs_init() -> None:
    """The slot-writing HookEvent constructor builds the same event as the attrs __init__."""
    import attrs

    from b3os_async.webhooks import _new_hook_event

    ts = datetime(2026, 1, 1, tzinfo=timezone.utc)
    fields = {
        "type": HookEventType("run.completed"), "id": "evt_1", "run_id": "run_1",
        "execution_id": None, "workflow_id": "wf_1", "node_id": None, "status": "success",
        "timestamp": ts, "data": {"x": 1},
    }  # fmt: skip
    fast = _new_hook_event(*fields.values())
    assert fast == HookEvent(**fields)
    assert attrs.asdict(fast) == attrs.asdict(HookEvent(**fields))
    assert len(attrs.fields(HookEvent)) == len(fields)  # a new field must be added to both
