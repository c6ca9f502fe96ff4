"""Every touch point between the benchmarks and b3os-async, in one place.

The scenarios call these helpers instead of the SDK directly, so an SDK signature change is fixed
here once. Imports are lazy: a scenario that does not use the client does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async._client import B3OS
    from b3os_async.streams import RunEventStream

API_KEY = "b3sk_bench_0000000000000000"
# What a scenario using the client needs importable.
CLIENT_MODULES = ("b3os_async._client", "b3os_async.resources.runs")


def why_missing(*modules: str) -> str | None:
    """Why the SDK pieces a scenario needs cannot be used (``None`` when they import)."""
    from benchmarks._harness import missing

    for module in modules or CLIENT_MODULES:
        why = missing(module)
        if why is not None:
            return why
    return None


def client(
    base_url: str,
    *,
    max_connections: int | None = None,
    max_streams: int | None = None,
    api_key: str = API_KEY,
) -> B3OS:
    """A ``B3OS`` client for the benchmark server: zero-wait retries, big enough pools."""
    from b3os_async._client import B3OS
    from b3os_async._retry import RetryPolicy

    kwargs: dict[str, Any] = {}
    if max_connections is not None:
        kwargs["max_connections"] = max_connections
    if max_streams is not None:
        kwargs["max_streams"] = max_streams
    return B3OS(api_key=api_key, base_url=base_url, retry=RetryPolicy.no_wait(), **kwargs)


async def first_runs_page(b3: B3OS, *, status: str, page_size: int) -> Any:
    """``await b3.runs.list(status=..., page_size=...).first_page()``."""
    return await b3.runs.list(status=status, page_size=page_size).first_page()


def open_run_stream(b3: B3OS, run_id: str) -> RunEventStream:
    """``b3.runs.stream(run_id)``; use as ``async with ... as stream: async for e in stream``."""
    return b3.runs.stream(run_id)


def run_list_items_decoder() -> Any:
    """A callable ``items -> tuple[RunListItem, ...]`` using the SDK's private converter."""
    from b3os_async import _convert
    from b3os_async.models.runs import RunListItem

    structure_items = _convert.structure_items

    def decode(items: Any) -> Any:
        return structure_items(items, RunListItem)

    return decode


def json_loads() -> Any:
    """The SDK's JSON parser (msgspec with the ``speedups`` extra, else the standard library)."""
    from b3os_async._transport.json_parser import loads

    return loads


def run_structurer() -> Any:
    """A callable ``data -> Run`` using the SDK's private converter."""
    from b3os_async import _convert
    from b3os_async.models.runs import Run

    structure = _convert.structure

    def decode(data: Any) -> Any:
        return structure(data, Run)

    return decode


STDLIB_JSON = "b3os_async (stdlib json)"


def speedups_available() -> bool:
    """True when the SDK parses JSON with msgspec (the ``speedups`` extra is installed)."""
    from b3os_async._transport import json_parser as _json

    return _json.speedups_available()


def use_speedups(enabled: bool) -> None:
    """Switch the SDK's JSON parser: msgspec (``speedups`` extra) or the standard library.

    Results are identical either way (tests/test_json.py); scenarios use it to measure the SDK
    as installed without the extra, in the same process run as everything else.
    """
    from b3os_async._transport import json_parser as _json

    _json.use_speedups(enabled)
