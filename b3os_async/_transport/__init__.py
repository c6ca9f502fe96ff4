"""How bytes move: the session and everything a request or a stream connection goes through.

* :mod:`.session` -- :class:`SessionManager`: every request (URL, auth headers, retries, error
  mapping) and the raw streaming GET/POST of event streams; its theory of operation is there.
* :mod:`.pools` -- the lifecycle of a client's two aiohttp sessions (requests and streams).
* :mod:`.envelope` / :mod:`.errors` -- 2xx bodies to data, error bodies to exceptions (pure).
* :mod:`.raw` -- :class:`RawResponse` / :class:`ResponseMeta` for ``with_raw_response``.
* :mod:`.http` -- aiohttp glue: query strings, User-Agent, timeouts, exception classification
  and scrubbing (no credential survives in a chained aiohttp exception).
* :mod:`.paths` -- safe path building (every id one percent-encoded segment) and run ids.
* :mod:`.json_parser` -- JSON parsing with the standard library's results at msgspec's speed.
* :mod:`.json_encoder` -- request bodies to JSON: the one encoder, typed errors naming the field.
* :mod:`.body` -- reading response bodies within ``max_response_size`` / the error-body bound.
* :mod:`.limits` -- the size limits (constants only; docs/limits.md lists every limit).

This package's ``__init__`` imports nothing, so that importing :mod:`.raw` or :mod:`.paths`
(the client facade needs them) does not load aiohttp with :mod:`.session`.
"""
