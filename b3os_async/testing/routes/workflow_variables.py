"""Area ``workflow_variables``: definitions, values, manual writes and the write history.

The rules (types, lifetimes, what a write records) are the domain's
(``_domain/workflow_variables.py``); runs write variables through the engine. The list and the
upsert answer bare bodies, as the OpenAPI document declares; the others use the envelope.
``GET /v1/runs/{id}/variable-writes`` lives with the runs (``routes/runs.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact, dumps
from b3os_async.testing._server import (
    bare,
    context,
    json_body,
    ok,
    ok_page,
    optional,
    paging,
    principal,
    require,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.workflow_variables import Variable, Write
    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()
# A sub-area of workflows: its paths are /v1/workflows/{id}/....
ALSO_SERVES = ("/v1/workflows/",)

BASE = "/v1/workflows/{workflowId}/variables"


def def_json(variable: Variable) -> dict[str, Any]:
    """A ``VariableDef``."""
    return compact(
        {
            "name": variable.name,
            "type": variable.type,
            "lifetime": variable.lifetime,
            "default": variable.default,
            "description": variable.description,
        }
    )


def value_json(variable: Variable) -> dict[str, Any]:
    """A ``VariableValueWithMeta``."""
    return compact(
        {
            "def": def_json(variable),
            "hasValue": variable.has_value,
            "value": variable.value if variable.has_value else None,
            "version": variable.version,
            "lastRunId": variable.last_run_id,
            "updatedAt": variable.updated_at,
        }
    )


def write_json(write: Write) -> dict[str, Any]:
    """A ``VariableWrite``."""
    return compact(
        {
            "id": write.id,
            "workflowId": write.workflow_id,
            "name": write.name,
            "op": write.op,
            "scope": write.scope,
            "oldValue": write.old,
            "newValue": write.new,
            "runId": write.run_id,
            "writtenByNode": write.node_id,
            "writtenAt": write.written_at,
        }
    )


def _workflow(request: web.Request) -> Workflow:
    """The caller's workflow of the ``{workflowId}`` segment (404 if not theirs)."""
    who = principal(request)
    return context(request).store.workflows.get(who.org_id, request.match_info["workflowId"])


def _defs_changed(request: web.Request, workflow: Workflow) -> None:
    """Show the new definitions in the workflow (``variableDefs``); 409 when archived."""
    who = principal(request)
    defs = [def_json(v) for v in context(request).store.variables.defined(workflow.id)]
    context(request).store.workflows.change(
        who.org_id, workflow.id, lambda w: w.set_extra(who.user_id, variableDefs=defs or None)
    )


@ROUTES.get(BASE)
async def list_variables(request: web.Request) -> web.Response:
    """``GET …/variables``: bare ``{items: [VariableValueWithMeta]}``."""
    workflow = _workflow(request)
    variables = context(request).store.variables.defined(workflow.id)
    return bare(request, {"items": [value_json(v) for v in variables]})


@ROUTES.put(BASE + "/{name}")
async def upsert_variable(request: web.Request) -> web.Response:
    """``PUT …/variables/{name}``: create or update a definition; bare ``VariableDef``."""
    workflow = _workflow(request).not_archived()
    body = await json_body(request)
    variable = context(request).store.variables.define(
        workflow.id,
        request.match_info["name"],
        require(body, "type", str, "a string"),
        require(body, "lifetime", str, "a string"),
        body.get("default"),
        optional(body, "description", str, "a string"),
    )
    _defs_changed(request, workflow)
    return bare(request, def_json(variable))


@ROUTES.delete(BASE + "/{name}")
async def delete_variable(request: web.Request) -> web.Response:
    """``DELETE …/variables/{name}``: the definition, its value and its history go."""
    workflow = _workflow(request).not_archived()
    variable = context(request).store.variables.delete(workflow.id, request.match_info["name"])
    _defs_changed(request, workflow)
    return ok(request, def_json(variable))


@ROUTES.post(BASE + "/{name}/reset")
async def reset_variable(request: web.Request) -> web.Response:
    """``POST …/{name}/reset``: back to the default (recorded as ``manual_reset``)."""
    workflow = _workflow(request).not_archived()
    variables = context(request).store.variables
    variables.manual_reset(workflow.id, request.match_info["name"])
    return ok(request, value_json(variables.get(workflow.id, request.match_info["name"])))


@ROUTES.post(BASE + "/{name}/value")
async def set_variable_value(request: web.Request) -> web.Response:
    """``POST …/{name}/value``: ``{value}`` set by hand (recorded as ``manual_set``)."""
    workflow = _workflow(request).not_archived()
    body = await json_body(request)
    variables = context(request).store.variables
    name = request.match_info["name"]
    variables.get(workflow.id, name)  # 404 before a complaint about the body
    if "value" not in body:
        raise bad_field("'value' is required")
    variables.manual_set(workflow.id, name, body["value"])
    return ok(request, value_json(variables.get(workflow.id, name)))


@ROUTES.get(BASE + "/{name}/history")
async def variable_history(request: web.Request) -> web.Response:
    """``GET …/{name}/history``: the variable's writes, newest first (paged)."""
    workflow = _workflow(request)
    limit, offset = paging(request)
    writes, more = context(request).store.variables.history(
        workflow.id, request.match_info["name"], limit, offset
    )
    return ok_page(request, [dumps(write_json(w)) for w in writes], limit, offset, more)
