"""Scenario 2: SSE decoding, ``b3os_async.sse.SSEDecoder`` vs httpx-sse's decoders, same bytes.

Both decoders get the same list of ``bytes`` chunks (what a socket read returns):

* ``b3os_async``: ``SSEDecoder().feed(chunk)`` per chunk (bytes in, events out).
* ``httpx-sse``: exactly what ``EventSource.aiter_sse`` does per chunk, minus the network: an
  incremental UTF-8 decoder (as ``httpx.Response.aiter_text``), ``SSELineDecoder.decode(text)``,
  ``line.rstrip("\\n")`` and ``SSEDecoder.decode(line)`` per line, then ``flush()`` at the end.

Inputs: 50,000 small run events (``id:`` + ``event:`` + ~200 bytes of JSON ``data:``) in 64 KiB
chunks; and one event whose single ``data:`` line is 4, 8 and 16 MiB, fed in 1 KiB chunks (to show
that cost grows linearly with the event's size).
"""

from __future__ import annotations

import codecs
import statistics
import time
from collections.abc import Callable

from benchmarks import _ours, _payloads
from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, missing, rotated

NAME = "sse_decode"
TITLE = "SSE decoding on identical bytes"
MIB = 1024 * 1024
BIG_CAP = 64 * MIB  # decoder caps raised so the 16 MiB event is legal for our decoder
SMALL_CASE = "50k small events, 64 KiB chunks"

# A decode function takes the chunks and returns (events dispatched, data of the last event).
Decode = Callable[[list[bytes]], tuple[int, str]]


def decode_ours(chunks: list[bytes]) -> tuple[int, str]:
    """Decode with :class:`b3os_async.sse.SSEDecoder`."""
    from b3os_async.sse import SSEDecoder

    decoder = SSEDecoder(max_line_size=BIG_CAP, max_event_size=BIG_CAP)
    count, last = 0, ""
    for chunk in chunks:
        events = decoder.feed(chunk)
        if events:
            count += len(events)
            last = events[-1].data
    decoder.end()
    return count, last


def decode_httpx_sse(chunks: list[bytes]) -> tuple[int, str]:
    """Decode as ``httpx_sse.EventSource.aiter_sse`` does (text decode, line split, decode)."""
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = SSELineDecoder()
    decoder = SSEDecoder()
    count, last = 0, ""
    for chunk in chunks:
        text = text_decoder.decode(chunk)
        if not text:
            continue
        for line in lines.decode(text):
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                count += 1
                last = sse.data
    for line in lines.flush():
        sse = decoder.decode(line.rstrip("\n"))
        if sse is not None:
            count += 1
            last = sse.data
    return count, last


def _timed(decode: Decode, chunks: list[bytes]) -> tuple[float, int, str]:
    start = time.perf_counter()
    count, last = decode(chunks)
    return time.perf_counter() - start, count, last


def _small(result: ScenarioResult, decoders: dict[str, Decode], n: int, repeats: int) -> None:
    names = list(decoders)
    small = _payloads.chunked(_payloads.small_events_stream(n), 64 * 1024)
    expected_last = _payloads.run_stream_body(n, "run_bench_decode")[-1]
    expected_data = expected_last.split(b"data: ", 1)[1].rstrip(b"\n").decode()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in rotated(names, r):
            elapsed, count, last = _timed(decoders[name], small)
            # httpx-sse also dispatches the data-less "retry: 1000" block (the spec says not to).
            allowed = {n, n + 1} if name == "httpx-sse" else {n}
            if count not in allowed or last != expected_data:
                raise AssertionError(f"{name} decoded {count} small events, wrong last data")
            samples[name].append(count / elapsed)
    for name in names:
        result.rows.append(Row(SMALL_CASE, name, "events/s", samples[name]))
    ratio = add_ratio(
        result,
        SMALL_CASE,
        "b3os_async",
        "httpx-sse",
        "small events: b3os_async / httpx-sse",
        "events/s",
    )
    result.targets.append(Target("small events: >= 3x httpx-sse events/s", ">=", 3.0, ratio))


def _large(
    result: ScenarioResult, decoders: dict[str, Decode], sizes_mib: tuple[int, ...], repeats: int
) -> None:
    names = list(decoders)
    seconds: dict[tuple[int, str], list[float]] = {}
    for size in sizes_mib:
        chunks = _payloads.chunked(_payloads.large_event_stream(size * MIB), 1024)
        for r in range(repeats):
            for name in rotated(names, r):
                elapsed, count, last = _timed(decoders[name], chunks)
                if count != 1 or len(last) != size * MIB:
                    raise AssertionError(f"{name} did not decode the {size} MiB event")
                seconds.setdefault((size, name), []).append(elapsed)
        del chunks
    for size in sizes_mib:
        case = f"one {size} MiB event, 1 KiB chunks"
        for name in names:
            result.rows.append(Row(case, name, "MiB/s", [size / s for s in seconds[(size, name)]]))
        add_ratio(
            result, case, "b3os_async", "httpx-sse", f"{size} MiB: b3os_async / httpx-sse", "MiB/s"
        )
    # Linearity: seconds per MiB at the largest size over seconds per MiB at the smallest
    # (1.0 = perfectly linear). Taken from the fastest sample of each size: a quadratic decoder
    # is slow in every sample, while this machine's noise only ever adds time.
    small, big = sizes_mib[0], sizes_mib[-1]
    for name in names:
        lo, hi = seconds[(small, name)], seconds[(big, name)]
        by_min = (min(hi) / big) / (min(lo) / small)
        by_median = (statistics.median(hi) / big) / (statistics.median(lo) / small)
        result.extra[f"linearity {name} (fastest runs)"] = by_min
        result.extra[f"linearity {name} (medians)"] = by_median
        if name == "b3os_async":
            result.targets.append(
                Target(
                    f"large event linear: (s/MiB at {big} MiB) / (s/MiB at {small} MiB) <= 1.5",
                    "<=",
                    1.5,
                    by_min,
                )
            )


def run(cfg: Config) -> ScenarioResult:
    """Time both decoders on the same chunks; check they agree on what they decoded."""
    result = ScenarioResult(NAME, TITLE)
    decoders: dict[str, Decode] = {}
    why = _ours.why_missing("b3os_async.sse")
    if why is None:
        decoders["b3os_async"] = decode_ours
    else:
        result.skipped["b3os_async"] = why
    why = missing("httpx_sse._decoders")
    if why is None:
        decoders["httpx-sse"] = decode_httpx_sse
    else:
        result.skipped["httpx-sse"] = why
    if not decoders:
        result.status, result.reason = "skipped", "no decoder available"
        return result
    n_small = cfg.size(50_000, 20_000)
    sizes_mib = (4, 8, 16)
    repeats = cfg.repeats(7, 1)
    # Large events are cheap to decode (~0.1 s for 16 MiB); a few more samples make the fastest
    # run a trustworthy linearity estimate on a noisy machine.
    large_repeats = max(repeats, 3 if cfg.quick else 7)
    result.params.update(
        small_events=n_small,
        small_chunk_bytes=64 * 1024,
        large_event_mib=list(sizes_mib),
        large_chunk_bytes=1024,
        repeats=repeats,
        large_event_repeats=large_repeats,
    )
    _small(result, decoders, n_small, repeats)
    _large(result, decoders, sizes_mib, large_repeats)
    return result
