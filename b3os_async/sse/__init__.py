"""Server-Sent Events without I/O: a decoder (bytes in, events out) and an encoder (the reverse).

The SDK's streams decode for you (``b3.runs.stream()``, ``b3.stream(path)``). On its own the
decoder takes bytes and returns the events they complete::

    decoder = SSEDecoder()
    events = decoder.feed(b"id: 7\\nevent: ping\\ndata: {}\\n\\n")  # [ServerSentEvent(...)]
    decoder.end()          # a connection's body ended: the unfinished event is dropped
    decoder.last_event_id  # "7": what to send as Last-Event-ID when reconnecting

and the encoder writes what a browser's ``EventSource`` reads::

    encode_event('{"ok": true}', event="ping", id="7")  # b'id: 7\\nevent: ping\\ndata: ...\\n\\n'
    encode_comment("keep-alive")                          # b': keep-alive\\n\\n'

Modules: ``_decoder`` (the WHATWG rules, theory of operation in its header), ``_encoder``,
``_event`` (:class:`ServerSentEvent`). Nothing here imports aiohttp; the only module of the SDK
outside this package it imports is the dependency-free ``b3os_async._errors``.
"""

from __future__ import annotations

from b3os_async.sse._decoder import SSEDecoder
from b3os_async.sse._encoder import encode_comment, encode_event
from b3os_async.sse._event import ServerSentEvent

__all__ = ["SSEDecoder", "ServerSentEvent", "encode_comment", "encode_event"]
