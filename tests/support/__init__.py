"""Helpers shared by the test suite (importable as ``support`` because ``tests/`` is on sys.path).

* :mod:`support.mock_api` -- aioresponses that records every request exactly as it was sent
  (request-shape tests: no sockets at all);
* :mod:`support.table` -- the request-shape table's row type and the driver that runs a row
  (the rows themselves: ``tests/rows/<area>.py``);
* :mod:`support.openapi` -- checks a recorded request against ``tests/data/b3os-openapi.json``;
* :mod:`support.scripted` -- ONE scripted HTTP/SSE server on 127.0.0.1 for behaviour tests.
"""
