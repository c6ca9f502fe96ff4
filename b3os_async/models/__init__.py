"""Typed response and request models (frozen attrs classes) and the enums they use.

One module per API area (``runs``, ``workflows`` ...), plus ``definitions`` (workflow definitions,
sent and received), ``events`` (stream events) and ``_enums`` (open enums: unknown values kept).
Models import only attrs and the standard library; decoding lives in :mod:`b3os_async._convert`.

:data:`_EXPORTS` is the ONE list of model names: it drives ``__all__`` and the lazy loading (each
name is imported from its module on first use, so loading the run models does not also build every
workflow model: attrs class creation is most of this package's import time). The
``TYPE_CHECKING`` imports repeat it for type checkers; a test checks that both agree and that every
model class defined in these modules is listed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async.models._enums import DeliveryStatus as DeliveryStatus
    from b3os_async.models._enums import ExecutionNodeStatus as ExecutionNodeStatus
    from b3os_async.models._enums import HookEndpointStatus as HookEndpointStatus
    from b3os_async.models._enums import HookEventType as HookEventType
    from b3os_async.models._enums import OpenEnum as OpenEnum
    from b3os_async.models._enums import PausedReason as PausedReason
    from b3os_async.models._enums import RunStatus as RunStatus
    from b3os_async.models._enums import WorkflowStatus as WorkflowStatus
    from b3os_async.models._enums import WorkflowVisibility as WorkflowVisibility
    from b3os_async.models.definitions import ConnectorReference as ConnectorReference
    from b3os_async.models.definitions import WorkflowDefinition as WorkflowDefinition
    from b3os_async.models.definitions import WorkflowInput as WorkflowInput
    from b3os_async.models.definitions import WorkflowNode as WorkflowNode
    from b3os_async.models.events import ActivityEvent as ActivityEvent
    from b3os_async.models.events import RunEvent as RunEvent
    from b3os_async.models.execution_hooks import ExecutionHookDelivery as ExecutionHookDelivery
    from b3os_async.models.execution_hooks import ExecutionHookEndpoint as ExecutionHookEndpoint
    from b3os_async.models.execution_hooks import ExecutionHookSecret as ExecutionHookSecret
    from b3os_async.models.execution_hooks import HookEvent as HookEvent
    from b3os_async.models.outbound_webhooks import (
        OutboundWebhookDelivery as OutboundWebhookDelivery,
    )
    from b3os_async.models.runs import ExecutionNode as ExecutionNode
    from b3os_async.models.runs import NodeResumeResult as NodeResumeResult
    from b3os_async.models.runs import Run as Run
    from b3os_async.models.runs import RunCreated as RunCreated
    from b3os_async.models.runs import RunListItem as RunListItem
    from b3os_async.models.runs import RunStatusCounts as RunStatusCounts
    from b3os_async.models.runs import WorkflowRunCounts as WorkflowRunCounts
    from b3os_async.models.workflows import ValidationErrorItem as ValidationErrorItem
    from b3os_async.models.workflows import ValidationResult as ValidationResult
    from b3os_async.models.workflows import Workflow as Workflow
    from b3os_async.models.workflows import WorkflowListItem as WorkflowListItem
    from b3os_async.models.workflows import WorkflowVersionCount as WorkflowVersionCount
    from b3os_async.models.workflows import WorkflowVisibilityUpdate as WorkflowVisibilityUpdate

_ENUMS = "b3os_async.models._enums"
_DEFINITIONS = "b3os_async.models.definitions"
_EVENTS = "b3os_async.models.events"
_RUNS = "b3os_async.models.runs"
_WORKFLOWS = "b3os_async.models.workflows"
# execution hooks
_HOOKS = "b3os_async.models.execution_hooks"
_OUTBOUND = "b3os_async.models.outbound_webhooks"

#: Model name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "OpenEnum": _ENUMS,
    "ExecutionNodeStatus": _ENUMS,
    "PausedReason": _ENUMS,
    "RunStatus": _ENUMS,
    "WorkflowStatus": _ENUMS,
    "WorkflowVisibility": _ENUMS,
    "ConnectorReference": _DEFINITIONS,
    "WorkflowDefinition": _DEFINITIONS,
    "WorkflowInput": _DEFINITIONS,
    "WorkflowNode": _DEFINITIONS,
    "ActivityEvent": _EVENTS,
    "RunEvent": _EVENTS,
    "ExecutionNode": _RUNS,
    "NodeResumeResult": _RUNS,
    "Run": _RUNS,
    "RunCreated": _RUNS,
    "RunListItem": _RUNS,
    "RunStatusCounts": _RUNS,
    "WorkflowRunCounts": _RUNS,
    "ValidationErrorItem": _WORKFLOWS,
    "ValidationResult": _WORKFLOWS,
    "Workflow": _WORKFLOWS,
    "WorkflowListItem": _WORKFLOWS,
    "WorkflowVersionCount": _WORKFLOWS,
    "WorkflowVisibilityUpdate": _WORKFLOWS,
    # execution hooks
    "DeliveryStatus": _ENUMS,
    "HookEndpointStatus": _ENUMS,
    "HookEventType": _ENUMS,
    "ExecutionHookDelivery": _HOOKS,
    "ExecutionHookEndpoint": _HOOKS,
    "ExecutionHookSecret": _HOOKS,
    "HookEvent": _HOOKS,
    "OutboundWebhookDelivery": _OUTBOUND,
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
