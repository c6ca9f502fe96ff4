"""Event streams that reconnect, resume and never lose or repeat an event: the rules, in one place.

Modules: :mod:`.machine` (the state machine every stream is), :mod:`.lifecycle` (its phases and
how it ends), :mod:`.connection` (one attempt, one open response), :mod:`.pacing` (budget, waits,
deadline), :mod:`.endings` (how an attempt or a connection ended), :mod:`.budget` and
:mod:`.dedupe` (small pure objects), :mod:`.config` (time limits, constants), :mod:`.events` (SSE
event -> typed event), :mod:`.runs` (run streams), :mod:`.reconcile` (run state -> synthetic
events, pure), :mod:`.notifications`, :mod:`.raw`, :mod:`.merge`, :mod:`.handle` (run handles).
This ``__init__`` imports nothing.

Theory of operation
-------------------
**What is guaranteed.** Every event the server sends is handed to the consumer exactly once, in
order, across dropped connections, resets, cuts, stalls, proxies and server restarts. "Once" is
judged by the event's key (a run's ``seq``, else its SSE id). When the server cannot replay what
was missed, a run stream fills the gap from the run's state (``GET /v1/runs/{id}``) with events
marked ``synthetic=True``: they describe the state a node or the run *reached*, not every step.

**Lifecycle** (:class:`~.lifecycle.Phase`): ``IDLE <-> OPEN`` until ``ENDED`` (no more events will
arrive; buffered ones still go out), ``CLOSED`` (``aclose()``: nothing more is handed out) or
``CLIENT_CLOSED`` (``B3OS.aclose()`` ended it: the consumer gets :class:`ConfigurationError`).
A stream is an explicit state machine driven by ``__anext__``, never an async generator.

**An attempt** is one request (``Accept: text/event-stream``; ``Last-Event-ID`` when a resume point
is known) through :meth:`SessionManager.open_stream` -- one attempt, no retries of its own: this
machine is the only retry logic of streams. Its answer decides:

* 2xx (not 204) with ``text/event-stream``: connected; the subclass hook ``_after_connect`` runs
  (run streams may reconcile there) and its request failures end the connection like a failed
  attempt;
* 204: the server says "do not reconnect": ``_on_no_content`` runs and the stream ends;
* a status in the ``reconnect`` policy's ``retry_statuses`` (408, 429, 5xx), a network error, a
  connect / first-byte timeout: the attempt failed. Any other status (401, 403, 404 ...: the same
  error classes as any request), a TLS error, and a 2xx that is not an event stream
  (:class:`StreamError`) raise at once.

**Reading.** Chunks go into a fresh SSE decoder per connection (its size caps raise
:class:`StreamError`, not retried). Bytes that arrived before a reset are decoded before the reset
is acted on (:mod:`.connection`); an event cut by the end of a connection (mid-frame, mid-
character) was never dispatched and is asked for again. For each dispatched event:
``event: error`` is mapped exactly like an HTTP error body (retryable statuses reconnect, others
raise -- either way only after the events before it were consumed). Any other event:

* it is decoded and deduped by the subclass (``_accept``): a key at or below the highest one
  accepted is dropped (:class:`~.dedupe.DedupeWindow`). ``_accept`` may also raise
  :class:`~.machine.Hold` to stop before the event: ``_on_hold()`` runs (run streams reconcile),
  then the event is taken again;
* its id, if its own block set one (ids are sticky in SSE; a repeat counts as none), moves the
  **resume cursor** when it is *new* (above every numeric id seen; an opaque id not among the
  recent ones): the cursor is the newest id the server sent, also of events then dropped as
  duplicates (of synthetic ones, say), so a reconnect never asks again for what already arrived,
  and an id the server repeats or sends going backwards does not move it back;
* **progress** is new information: an event handed out, a new id (even if its event is dropped),
  or state found by a reconcile. Progress ends the failure streak. Duplicates, old ids and error
  frames are not progress (a server replaying old events and failing is not retried forever).

**Waiting before a reconnect** (:class:`~.budget.ReconnectBudget`, applied by
:class:`~.pacing.Pacer`). The end of a connection is a *failure* unless the connection brought
progress -- however it ended: a clean end, a reset, an idle timeout, an error event -- or stayed
open :data:`~.config.STEADY_CONNECTION` seconds (a quiet stream whose connection a proxy recycles:
the server evidently works; the streak ends). A failed attempt (no connection) is a failure.

* not a failure: ``Retry-After`` (of an error event) when sent, else the server's ``retry:`` value
  (it persists across connections; capped by ``retry_after_max``), else ``initial_delay``;
* a failure: :func:`~b3os_async._retry.decide_retry` with the ``reconnect`` policy, ``attempt`` =
  consecutive failures, ``elapsed`` = time since the first of them: ``Retry-After`` (capped)
  when sent, else backoff with full jitter, raised to at least the server's ``retry:``. When the
  policy refuses (attempts or time spent) the stream raises :class:`StreamError` chained to the
  last error;
* **every** wait, failure or not, is at least :data:`~.config.MIN_RECONNECT_DELAY` (jittered,
  capped by the policy's ``max_delay``): ``retry: 0`` plus a close after each event cannot make
  us spin.

Each reconnect is reported to ``on_reconnect(ReconnectInfo)`` and logged (INFO, logger
``b3os_async``: attempt, delay, resume id, reason) before the wait.

**Run streams** (:mod:`.runs`) yield the run's history first (``Last-Event-ID: 0``), then live
events; ``history=False`` follows from now (the run's state at the first connection is noted
silently, except that the run already ended). Every connection that resumes by id must prove its
replay with its first event: no id (a server that cannot replay) or a ``seq`` past the next one
expected (a server that replayed only part) is reconciled before that event, and so is a
connection that brings no event within :data:`~.config.REPLAY_GRACE` seconds, and the third
connection after two in a row that ended without any event. A reconnect reconciles at once when
no resume id is known or the last event carried none. The new connection is always open before
the snapshot is taken, so nothing falls between them; events from before the snapshot that it
already reflects are dropped (the reconcile window, :mod:`.reconcile`).

**Time limits** (:class:`StreamTimeouts`): ``connect`` is aiohttp's ``sock_connect``;
``first_byte`` bounds each attempt until the response headers; ``idle`` is aiohttp's ``sock_read``
(any byte resets it, heartbeats included) backed by a watchdog (:mod:`.connection`); ``deadline``
bounds everything, reconnect waits included, and raises :class:`APITimeoutError`.

**Closing.** ``aclose()`` (idempotent, safe from another task while ``__anext__`` is blocked)
closes the response, which wakes a pending read, and interrupts a pending connect, reconcile
request or wait (they run in a task raced against it, :meth:`~.pacing.Pacer.race`, so closing is
prompt and never a ``CancelledError`` for the consumer). An error raised to the consumer releases
the connection first. A cancelled consumer leaves the stream intact. A stream dropped without
``aclose()`` closes its socket in ``__del__`` (aiohttp keeps an unreleased response alive from the
connection). ``B3OS.aclose()`` ends every open stream of the client (tracked weakly by the pools).
"""
