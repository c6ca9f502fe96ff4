"""``b3os api METHOD PATH``: call any endpoint, wrapped by the SDK or not yet (the escape hatch).

``b3os api GET /v1/workflows/wf_123/schedule`` prints the unwrapped JSON answer (``data`` of
the envelope), with the client's authentication, retries and error lines. ``--param key=value``
(repeatable) builds the query, ``--data JSON`` (or ``@FILE``) the body; ``--idempotent`` lets a
POST/PATCH be retried. ``--stream`` follows a Server-Sent Events endpoint and prints one JSON line
per event (``{"id", "event", "data"}``, ``data`` parsed when it is JSON) until Ctrl-C, or
``--max-events N``; ``--last-event-id`` resumes after an event (the stream machinery reconnects
like every SDK stream, so a stream the server ends is followed again: stop it with a count).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import make_client

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["api_call"]


def _json(text: str) -> Any:
    """An event's data: parsed when it is JSON, else the text as it is."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _query(pairs: list[tuple[str, str]] | None) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for key, value in pairs or []:
        query.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in query.items()}


async def api_call(args: argparse.Namespace, out: Output) -> int:
    """Send one request (or follow one stream) and print what came back."""
    params = _query(args.param)
    async with make_client(args) as b3:
        if args.stream:
            shown = 0
            stream = b3.stream(args.path, params=params, last_event_id=args.last_event_id)
            async with stream as events:
                async for event in events:
                    out.json_line({"id": event.id, "event": event.event, "data": _json(event.data)})
                    shown += 1
                    if args.max_events is not None and shown >= args.max_events:
                        break
            return 0
        answer = await b3.request(
            args.method,
            args.path,
            params=params,
            json=args.data,
            idempotent=True if args.idempotent else None,
        )
    out.json(answer)
    return 0
