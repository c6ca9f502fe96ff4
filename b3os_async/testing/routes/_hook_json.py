"""JSON views of execution-hook endpoints and delivery records (shared by two route modules).

Shaped like the OpenAPI's ``ExecutionWebhookEndpoint``, ``ExecutionWebhookDelivery`` and
``OutboundWebhookDelivery``; optional fields are left out rather than sent as ``null``. The
signing secret is never part of an endpoint's view: only ``create`` and ``regenerate-secret``
answer it, beside the endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import compact

if TYPE_CHECKING:
    from b3os_async.testing._domain.execution_hooks import Delivery, Endpoint


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    """An ``ExecutionWebhookEndpoint``."""
    return compact(
        {
            "id": endpoint.id,
            "organizationId": endpoint.org_id,
            "name": endpoint.name,
            "description": endpoint.description,
            "url": endpoint.url,
            "subscribedEventTypes": list(endpoint.subscribed),
            "maxRetries": endpoint.max_retries,
            "status": endpoint.status,
            "disabledAt": endpoint.disabled_at,
            "createdAt": endpoint.created_at,
            "createdBy": endpoint.created_by,
            "updatedAt": endpoint.updated_at,
        }
    )


def secret_json(endpoint: Endpoint) -> dict[str, Any]:
    """``CreateExecutionWebhookData``: the endpoint and its signing secret."""
    return {"endpoint": endpoint_json(endpoint), "signingSecret": endpoint.secret}


def _attempt_fields(delivery: Delivery) -> dict[str, Any]:
    return {
        "status": delivery.status,
        "retryCount": delivery.retry_count,
        "maxRetries": delivery.max_retries,
        "nextRetryAt": delivery.next_retry_at,
        "requestBody": delivery.body,
        "requestHeaders": delivery.request_headers,
        "responseStatus": delivery.response_status,
        "responseBody": delivery.response_body,
        "responseHeaders": delivery.response_headers,
        "durationMs": delivery.duration_ms,
        "errorMessage": delivery.error_message,
        "createdAt": delivery.created_at,
        "updatedAt": delivery.updated_at or delivery.created_at,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """An ``ExecutionWebhookDelivery``."""
    return compact(
        {
            "id": delivery.id,
            "organizationId": delivery.org_id,
            "endpointId": delivery.endpoint_id,
            "eventType": delivery.event_type,
            "runId": delivery.run_id,
            "workflowId": delivery.workflow_id,
            **_attempt_fields(delivery),
        }
    )


def outbound_json(delivery: Delivery) -> dict[str, Any]:
    """An ``OutboundWebhookDelivery``."""
    return compact(
        {
            "id": delivery.id,
            "organizationId": delivery.org_id,
            "workflowId": delivery.workflow_id,
            "runId": delivery.run_id,
            "nodeId": delivery.node_id,
            "url": delivery.url,
            "method": delivery.method,
            **_attempt_fields(delivery),
        }
    )
