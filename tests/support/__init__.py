"""Helpers shared by the test suite (importable as ``support`` because ``tests/`` is on sys.path).

* :mod:`support.mock_api` -- aioresponses that records every request exactly as it was sent
  (request-shape tests: no sockets at all);
* :mod:`support.table` -- the request-shape table's row type and the driver that runs a row
  (the rows themselves: ``tests/rows/<area>.py``);
* :mod:`support.openapi` -- checks a recorded request against ``tests/data/b3os-openapi.json``;
* :mod:`support.scripted` -- the one scripted HTTP/SSE server on 127.0.0.1 for behaviour tests
  (the run-stream, chat and hook-receiver fakes are scenarios on it; the raw asyncio
  ``tests/hardening/hostile_server.py`` is the one exception, for faults aiohttp cannot produce).
"""
