"""Inbound workflow webhooks and their event log.

Theory of operation
-------------------
``POST /v1/webhooks/{workflowSecret}`` (documented by B3OS, absent from its OpenAPI) names a
workflow by its ``triggerSecret``. :func:`deliver` decides what the delivery does, records one
:class:`WebhookEvent` either way, and answers an ``IntegrationResult`` ``{action, eventId,
reason, runIds}``:

* ``triggered``: the workflow is live and active and its live version has a ``manual``
  trigger (B3OS: "starts a run of a manual-trigger workflow"): a run of the live version
  starts (``triggerSource: "webhook"``), the body being its payload, so expressions read it as
  ``{{$trigger.body.x}}`` (and ``{{root.result.x}}``). The event's status is ``success`` and
  it names the run;
* ``skipped``: archived, not published, paused, or no such trigger: nothing runs; the reason is
  in ``reason`` and in the event's ``metadata.reason`` (status ``success``: the delivery was
  handled);
* a run that cannot be built (an invalid live definition) records status ``failure`` with
  ``errorMessage``, and the answer is ``skipped`` with that reason.

:func:`replay` re-processes a stored event's body against its workflow as a NEW event
(``metadata.replayOf`` names the original), so the log keeps what happened each time. Events are
a simple collection (:data:`EVENTS`), newest first; the secret never appears in an event.

:func:`org_secret` is the organization's secret for *integration* webhooks (providers such as
Pipedream post to ``/v1/orgs/{orgId}/integrations/…?secret=``; the emulator does not serve
those platform-internal routes): stable per organization, kept outside the store's books.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._collection import Collection
from b3os_async.testing._common import (
    WEBHOOK_EVENT_NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    ApiError,
    compact,
    now_iso,
)
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._graph import nodes_of, trigger_ids

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._domain.workflows import Workflow
    from b3os_async.testing._store import Store

__all__ = ["EVENTS", "WebhookEvent", "deliver", "event_json", "org_secret", "replay"]

FIRES_ON_WEBHOOK = ("manual",)
"""Trigger types an inbound webhook fires."""


@attrs.define
class WebhookEvent:
    """One inbound delivery: its body, what was done, and the run it started (if any)."""

    id: str
    org_id: str
    workflow_id: str
    body: dict[str, Any] = attrs.field(repr=False)
    metadata: dict[str, Any]
    status: str
    action_taken: str
    created_at: str
    processed_at: str
    run_id: str | None = None
    error_message: str | None = None
    platform: str = "webhook"


EVENTS = Collection[WebhookEvent](
    "webhook_events", "webhook event", WEBHOOK_EVENT_NOT_FOUND, "whe_"
)
"""Every organization's inbound webhook events (``EVENTS.of(store)``)."""


def event_json(event: WebhookEvent) -> dict[str, Any]:
    """The ``WebhookEvent`` JSON."""
    return compact(
        {
            "id": event.id,
            "organizationId": event.org_id,
            "workflowId": event.workflow_id,
            "runId": event.run_id,
            "platform": event.platform,
            "body": event.body,
            "metadata": event.metadata,
            "status": event.status,
            "actionTaken": event.action_taken,
            "errorMessage": event.error_message,
            "createdAt": event.created_at,
            "processedAt": event.processed_at,
        }
    )


def _skip_reason(workflow: Workflow) -> str | None:
    if workflow.archived:
        return "the workflow is archived"
    if workflow.live is None:
        return "the workflow is not published"
    if workflow.live_status != "active":
        return f"the workflow is {workflow.live_status}"
    return None


def _trigger(workflow: Workflow) -> str | None:
    assert workflow.live is not None
    definition = workflow.versions[workflow.live].content["definition"]
    nodes = nodes_of(definition)
    declared = [node_id for node_id in trigger_ids(definition) if node_id in nodes]
    for kind in FIRES_ON_WEBHOOK:
        for node_id in declared:
            if nodes[node_id]["type"] == kind:
                return node_id
    return None


def _process(
    store: Store,
    launch: Callable[[Run], None],
    workflow: Workflow,
    body: dict[str, Any],
    metadata: dict[str, Any],
) -> tuple[WebhookEvent, dict[str, Any]]:
    at = now_iso()
    events = EVENTS.of(store)
    event = WebhookEvent(
        id=events.new_id(),
        org_id=workflow.org_id,
        workflow_id=workflow.id,
        body=body,
        metadata=dict(metadata),
        status="success",
        action_taken="skipped",
        created_at=at,
        processed_at=at,
    )
    reason = _skip_reason(workflow)
    trigger = _trigger(workflow) if reason is None else None
    if reason is None and trigger is None:
        reason = "the workflow has no manual trigger"
    if reason is None:
        org = store.orgs[workflow.org_id]
        who = Principal(workflow.org_id, "read-write", "webhook", org.user_id)
        try:
            run = store.runs.for_workflow(
                who,
                workflow,
                run_id=None,
                number=workflow.live,
                trigger=trigger,
                payload=body,
                simulate=False,
                dust=False,
            )
        except ApiError as exc:
            event.status, event.error_message, reason = "failure", exc.message, exc.message
        else:
            run.trigger_source = run.triggered_by = "webhook"
            launch(run)
            event.action_taken, event.run_id = "triggered", run.id
    if reason is not None:
        event.metadata["reason"] = reason
    events.add(event)
    result = compact(
        {
            "action": event.action_taken,
            "eventId": event.id,
            "reason": reason,
            "runIds": [event.run_id] if event.run_id else [],
        }
    )
    return event, result


def deliver(
    store: Store,
    launch: Callable[[Run], None],
    secret: str,
    body: dict[str, Any],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """Handle ``POST /v1/webhooks/{secret}``: the ``IntegrationResult`` (404 if no workflow)."""
    workflow = store.workflows.find_by_secret(secret)
    if workflow is None:
        # The same 404 whatever the secret: an unknown one reveals nothing about the others.
        raise ApiError(404, WORKFLOW_NOT_FOUND, "no workflow has this webhook secret")
    return _process(store, launch, workflow, body, metadata)[1]


def replay(
    store: Store, launch: Callable[[Run], None], org_id: str, event_id: str
) -> dict[str, Any]:
    """Re-process a stored event's body as a new event: the ``IntegrationResult``."""
    original = EVENTS.of(store).get(org_id, event_id)
    workflow = store.workflows.find(original.workflow_id)
    if workflow is None:  # events outlive nothing here, but be explicit
        raise ApiError(404, WEBHOOK_EVENT_NOT_FOUND, f"webhook event {event_id!r} not found")
    metadata = {**original.metadata, "replayOf": original.id}
    metadata.pop("reason", None)
    return _process(store, launch, workflow, dict(original.body), metadata)[1]


_ORG_SECRETS: weakref.WeakKeyDictionary[Store, dict[str, str]] = weakref.WeakKeyDictionary()


def org_secret(store: Store, org_id: str) -> str:
    """The organization's integration-webhook secret (made on first use, then stable)."""
    secrets = _ORG_SECRETS.setdefault(store, {})
    secret = secrets.get(org_id)
    if secret is None:
        secret = secrets[org_id] = store.ids.new("whsec_", 32, stream="org-webhook-secret")
    return secret
