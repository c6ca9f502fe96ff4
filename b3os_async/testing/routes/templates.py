"""Area ``templates``: workflow templates, their versions, stats and recommendations.

The rules (versions, visibility, props, indexes) are the domain's (``_domain/templates.py``).
``GET /v1/templates/{templateId}`` also serves anonymous callers (public templates only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_QUERY,
    INVALID_DEFINITION,
    ApiError,
    bad_field,
    compact,
)
from b3os_async.testing._domain.templates import CATEGORIES, STRATEGIES
from b3os_async.testing._graph import shape_error
from b3os_async.testing._server import (
    authenticated,
    choice_param,
    context,
    int_param,
    json_body,
    ok,
    optional,
    page,
    paging,
    principal,
    require,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.templates import Template, TemplateBook, TemplateVersion

ROUTES = web.RouteTableDef()

VISIBILITIES = ("org", "public")


def _book(request: web.Request) -> TemplateBook:
    return context(request).store.templates


def _tag(name: str) -> dict[str, Any]:
    slug = "-".join(name.lower().split())
    return {"id": f"tag_{slug}", "name": name, "slug": slug}


def template_json(template: Template, version: TemplateVersion | None = None) -> dict[str, Any]:
    """A ``Template`` object for one version (default: the current one)."""
    row = version or template.versions[template.current]
    content = row.content
    public = content.get("visibility") == "public"
    return compact(
        {
            "id": template.id,
            "slug": content.get("slug") or "-".join(str(content["name"]).lower().split()),
            "name": content["name"],
            "description": content["description"],
            "definition": content["definition"],
            "uiMetadata": content.get("uiMetadata"),
            "tags": [_tag(str(tag)) for tag in content.get("tags") or []],
            "category": content.get("category"),
            "visibility": content.get("visibility"),
            "moderationStatus": "approved" if public else None,
            "isPromoted": template.promoted_order is not None,
            "promotedOrder": template.promoted_order,
            "templateProps": content.get("templateProps"),
            "tableSchemas": content.get("tableSchemas"),
            "cooldownMs": content.get("cooldownMs"),
            "maxRuns": content.get("maxRuns"),
            "version": row.number,
            "forkCount": template.fork_count,
            "sourceWorkflowId": template.source_workflow_id,
            "archived": False,
            "organizationId": template.org_id,
            "createdAt": template.created_at,
            "createdBy": template.created_by,
            "updatedAt": row.created_at,
            "updatedBy": row.created_by,
        }
    )


def _content(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The template fields present in ``body``, validated (every required one on create)."""
    get = require if creating else optional
    fields: dict[str, Any] = {}
    for name, limit in (("name", 255), ("description", 2000)):
        value = get(body, name, str, "a string")
        if value is not None:
            if len(value) > limit or (name == "name" and not value.strip()):
                raise bad_field(f"'{name}' must be 1 to {limit} characters")
            fields[name] = value
    if creating or body.get("definition") is not None:
        problem = shape_error(body.get("definition"))
        if problem is not None:
            raise ApiError(400, INVALID_DEFINITION, f"invalid definition: {problem}")
        fields["definition"] = body["definition"]
    tags = get(body, "tags", list, "a list of strings")
    if tags is not None:
        if not all(isinstance(tag, str) and tag.strip() for tag in tags):
            raise bad_field("'tags' must be a list of non-empty strings")
        fields["tags"] = list(dict.fromkeys(tags))
    visibility = get(body, "visibility", str, "'org' or 'public'")
    if visibility is not None:
        if visibility not in VISIBILITIES:
            raise bad_field("'visibility' must be 'org' or 'public'")
        fields["visibility"] = visibility
    for name, kind, what in (
        ("category", str, "a string"),
        ("slug", str, "a string"),
        ("cooldownMs", int, "an integer"),
        ("maxRuns", int, "an integer"),
        ("tableSchemas", dict, "an object"),
        ("uiMetadata", dict, "an object"),
    ):
        value = optional(body, name, kind, what)
        if value is not None:
            fields[name] = value
    props = optional(body, "templateProps", list, "a list of objects")
    if props is not None:
        if not all(isinstance(p, dict) and isinstance(p.get("key"), str) for p in props):
            raise bad_field("each of 'templateProps' must be an object with a string 'key'")
        fields["templateProps"] = props
    return fields


def _version_number(request: web.Request) -> int:
    raw = request.match_info["versionNumber"]
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, BAD_QUERY, f"version number must be a positive integer, got {raw!r}")
    return int(raw)


def _visible(request: web.Request) -> Template:
    """The ``{templateId}`` template, if the (possibly anonymous) caller may see it."""
    who = authenticated(request)
    return _book(request).get(who.org_id if who else None, request.match_info["templateId"])


@ROUTES.get("/v1/templates")
async def list_templates(request: web.Request) -> web.Response:
    """``GET /v1/templates``: ``category`` promoted|public|org|all (default all), ``tags``."""
    who = principal(request)
    limit, offset = paging(request)
    category = choice_param(request, "category", CATEGORIES) or "all"
    tags = frozenset(
        part.strip().lower()
        for raw in request.query.getall("tags", [])
        for part in raw.split(",")
        if part.strip()
    )
    found, more = _book(request).page(who.org_id, category, tags, limit, offset)
    items = [template_json(template) for template in found]
    return ok(request, {"items": items, "limit": limit, "offset": offset, "hasMore": more})


@ROUTES.post("/v1/templates")
async def create_template(request: web.Request) -> web.Response:
    """``POST /v1/templates``: a template of the caller's organization (version 1)."""
    who = principal(request)
    body = await json_body(request)
    content = _content(body, creating=True)
    source = optional(body, "sourceWorkflowId", str, "a string")
    if source is not None:
        context(request).store.workflows.get(who.org_id, source)  # 404 unless the org's
    template = _book(request).create(who, content, source)
    return ok(request, template_json(template))


@ROUTES.get("/v1/templates/recommended")
async def recommended_templates(request: web.Request) -> web.Response:
    """``GET /v1/templates/recommended``: ``category`` (required), ``limit``, ``strategy``."""
    who = principal(request)
    category = choice_param(request, "category", CATEGORIES)
    if category is None:
        raise ApiError(400, BAD_QUERY, "query parameter 'category' is required")
    limit = int_param(request, "limit", 10)
    if not 1 <= limit <= 50:
        raise ApiError(400, BAD_QUERY, "'limit' must be between 1 and 50")
    strategy = choice_param(request, "strategy", STRATEGIES) or "interest_based"
    found = _book(request).recommend(who.org_id, category, limit, strategy)
    return ok(request, [template_json(template) for template in found])


@ROUTES.get("/v1/templates/by-source-workflow/{workflowId}")
async def template_by_source(request: web.Request) -> web.Response:
    """``GET …/by-source-workflow/{workflowId}``: the template, or ``data: null``."""
    who = principal(request)
    found = _book(request).by_source(who.org_id, request.match_info["workflowId"])
    return ok(request, template_json(found) if found is not None else None)


@ROUTES.get("/v1/templates/{templateId}", name="template_get")
async def get_template(request: web.Request) -> web.Response:
    """``GET /v1/templates/{templateId}``: public templates need no API key."""
    return ok(request, template_json(_visible(request)))


@ROUTES.patch("/v1/templates/{templateId}")
async def update_template(request: web.Request) -> web.Response:
    """``PATCH /v1/templates/{templateId}``: changed content makes a new version."""
    who = principal(request)
    template = _book(request).owned(who.org_id, request.match_info["templateId"])
    changes = _content(await json_body(request), creating=False)
    return ok(request, template_json(_book(request).update(template, changes, who.user_id)))


@ROUTES.post("/v1/templates/{templateId}/rollback")
async def rollback_template(request: web.Request) -> web.Response:
    """``POST …/rollback``: a new version with ``targetVersion``'s content."""
    who = principal(request)
    template = _book(request).owned(who.org_id, request.match_info["templateId"])
    target = require(await json_body(request), "targetVersion", int, "an integer >= 1")
    if target < 1:
        raise bad_field("'targetVersion' must be at least 1")
    return ok(request, template_json(_book(request).rollback(template, target, who.user_id)))


@ROUTES.get("/v1/templates/{templateId}/stats")
async def template_stats(request: web.Request) -> web.Response:
    """``GET …/stats``: forks, workflows made from it, and their runs by outcome."""
    who = principal(request)
    template = _book(request).get(who.org_id, request.match_info["templateId"])
    runs = context(request).store.runs
    totals = dict.fromkeys(("total", "success", "partial", "failure", "cancelled"), 0)
    for workflow_id in template.workflow_ids:
        counts = runs.of_workflow(workflow_id).counts()
        for key in totals:
            totals[key] += counts.get(key, 0)
    ended = totals["success"] + totals["partial"] + totals["failure"] + totals["cancelled"]
    return ok(
        request,
        {
            "templateId": template.id,
            "version": template.current,
            "forkCount": template.fork_count,
            "deployCount": len(template.workflow_ids),
            "runCount": totals["total"],
            "successCount": totals["success"],
            "partialCount": totals["partial"],
            "failureCount": totals["failure"],
            "cancelledCount": totals["cancelled"],
            "successRate": round(totals["success"] / ended, 4) if ended else 0,
        },
    )


@ROUTES.get("/v1/templates/{templateId}/versions")
async def template_versions(request: web.Request) -> web.Response:
    """``GET …/versions``: every version, newest first, plus ``currentVersion``."""
    principal(request)
    template = _visible(request)
    limit, offset = paging(request)
    rows = [template.versions[n] for n in sorted(template.versions, reverse=True)]
    data = page([template_json(template, row) for row in rows], limit, offset)
    data["currentVersion"] = template.current
    return ok(request, data)


@ROUTES.get("/v1/templates/{templateId}/versions/count")
async def count_template_versions(request: web.Request) -> web.Response:
    """``GET …/versions/count``: ``{total}``."""
    principal(request)
    return ok(request, {"total": len(_visible(request).versions)})


@ROUTES.get("/v1/templates/{templateId}/versions/{versionNumber}")
async def get_template_version(request: web.Request) -> web.Response:
    """``GET …/versions/{n}``: one version (404010 when it does not exist)."""
    principal(request)
    template = _visible(request)
    return ok(request, template_json(template, template.version(_version_number(request))))
