"""``b3.templates``: workflow templates, their versions and stats, and workflows made from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure, structure_items
from b3os_async._errors import ConfigurationError
from b3os_async._transport.json_encoder import encode_json
from b3os_async.models.templates import Template, TemplateVersionCount
from b3os_async.models.workflows import Workflow
from b3os_async.resources._args import compact, definition_json, json_object, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.models._area_enums import TemplateVisibility
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.pagination import AsyncPager

__all__ = ["Templates"]


def _props(values: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if values is None:
        return None
    checked: object = values  # callers may pass anything: check at runtime
    if (
        isinstance(checked, (str, bytes, Mapping))
        or not isinstance(checked, Sequence)
        or not all(isinstance(v, Mapping) for v in checked)
    ):
        raise ConfigurationError("template_props must be a list of dicts (each with a 'key')")
    return [dict(value) for value in checked]


def _content(
    definition: WorkflowDefinition | Mapping[str, Any] | None,
    tags: Sequence[str] | None,
    template_props: Sequence[Mapping[str, Any]] | None,
    table_schemas: Mapping[str, Any] | None,
    ui_metadata: Mapping[str, Any] | None,
    visibility: TemplateVisibility | str | None,
    **named: Any,
) -> dict[str, Any]:
    """A create/update body: the arguments that need converting, plus ``named`` (already named
    as the API names them); None is dropped (an empty tag list is kept)."""
    found = str_list(tags, "tags")
    return compact(
        definition=definition_json(definition) if definition is not None else None,
        tags=list(found) if found is not None else None,
        templateProps=_props(template_props),
        tableSchemas=json_object(table_schemas, "table_schemas"),
        uiMetadata=json_object(ui_metadata, "ui_metadata"),
        visibility=str(visibility) if visibility is not None else None,
        **named,
    )


class Templates(Resource):
    """Workflow templates (``/v1/templates``). Get it as ``b3.templates``.

    A template's nodes may read *props* (``{{$props.key}}``); :meth:`use` makes a workflow from
    a template with values for them.
    """

    __slots__ = ()

    def list(
        self,
        *,
        category: str | None = None,
        tags: Sequence[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[Template]:
        """List templates, newest first, lazily.

        Args:
            category: ``all`` (default: yours and the public ones), ``org``, ``public`` or
                ``promoted``.
            tags: only templates with any of these tags.
            page_size: items per request (``limit``).
            max_items: stop after this many items.
        """
        params = {"category": category, "tags": str_list(tags, "tags")}
        return self._list(
            Template, "/v1/templates", params=params, page_size=page_size, max_items=max_items
        )

    async def create(
        self,
        *,
        name: str,
        description: str,
        definition: WorkflowDefinition | Mapping[str, Any],
        tags: Sequence[str],
        visibility: TemplateVisibility | str,
        category: str | None = None,
        template_props: Sequence[Mapping[str, Any]] | None = None,
        source_workflow_id: str | None = None,
        cooldown_ms: int | None = None,
        max_runs: int | None = None,
        table_schemas: Mapping[str, Any] | None = None,
        ui_metadata: Mapping[str, Any] | None = None,
    ) -> Template:
        """Create a template of your organization (``visibility`` ``org`` or ``public``).

        Args:
            name: its name.
            description: what it does.
            definition: the workflow definition (a model or a dict).
            tags: tag names (``[]`` for none).
            visibility: ``org`` (your organization) or ``public`` (everyone).
            category: deprecated by the API in favour of tags.
            template_props: the props its nodes read as ``{{$props.key}}``:
                ``[{"key": "symbol", "type": "string", "required": True}, ...]``.
            source_workflow_id: the workflow it was made from.
            cooldown_ms: the cooldown workflows made from it get.
            max_runs: the run limit workflows made from it get.
            table_schemas: database table schemas (free-form).
            ui_metadata: editor layout (free-form).
        """
        body = _content(
            name=name,
            description=description,
            definition=definition,
            tags=tags,
            visibility=visibility,
            category=category,
            template_props=template_props,
            sourceWorkflowId=source_workflow_id,
            cooldownMs=cooldown_ms,
            maxRuns=max_runs,
            table_schemas=table_schemas,
            ui_metadata=ui_metadata,
        )
        return await self._post(Template, "/v1/templates", json=body)

    async def get(self, template_id: str) -> Template:
        """Get a template (public templates need no API key: ``B3OS.public()`` can read them)."""
        return await self._get(Template, "/v1/templates/{}", template_id)

    async def update(
        self,
        template_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        definition: WorkflowDefinition | Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        visibility: TemplateVisibility | str | None = None,
        slug: str | None = None,
        template_props: Sequence[Mapping[str, Any]] | None = None,
        cooldown_ms: int | None = None,
        max_runs: int | None = None,
        table_schemas: Mapping[str, Any] | None = None,
        ui_metadata: Mapping[str, Any] | None = None,
    ) -> Template:
        """Update a template; changed content becomes a new version."""
        body = _content(
            name=name,
            description=description,
            definition=definition,
            tags=tags,
            visibility=visibility,
            slug=slug,
            template_props=template_props,
            cooldownMs=cooldown_ms,
            maxRuns=max_runs,
            table_schemas=table_schemas,
            ui_metadata=ui_metadata,
        )
        return await self._patch(Template, "/v1/templates/{}", template_id, json=body)

    async def rollback(self, template_id: str, *, target_version: int) -> Template:
        """Make a new version with the content of version ``target_version``."""
        body = {"targetVersion": target_version}
        return await self._post(Template, "/v1/templates/{}/rollback", template_id, json=body)

    def versions(
        self, template_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[Template]:
        """Every version of a template, newest first, lazily (``page.extra["currentVersion"]``
        names the current one)."""
        return self._list(
            Template,
            "/v1/templates/{}/versions",
            template_id,
            page_size=page_size,
            max_items=max_items,
        )

    async def versions_count(self, template_id: str) -> TemplateVersionCount:
        """Count the versions of a template."""
        return await self._get(TemplateVersionCount, "/v1/templates/{}/versions/count", template_id)

    async def get_version(self, template_id: str, version: int) -> Template:
        """Get one version of a template by number."""
        return await self._get(Template, "/v1/templates/{}/versions/{}", template_id, version)

    async def stats(self, template_id: str) -> dict[str, Any]:
        """A template's statistics (forks, deployments, runs, success rate ...).

        The API does not publish their shape: the JSON object is returned as it is.
        """
        data = await self._data("GET", "/v1/templates/{}/stats", template_id)
        return dict(data) if isinstance(data, dict) else {}

    async def recommended(
        self, *, category: str = "all", limit: int | None = None, strategy: str | None = None
    ) -> tuple[Template, ...]:
        """Templates recommended from the tags your organization uses.

        Args:
            category: ``all``, ``org``, ``public`` or ``promoted`` (required by the API).
            limit: at most this many.
            strategy: ``strong_match``, ``interest_based`` or ``popular_with_interest``.
        """
        params = {"category": category, "limit": limit, "strategy": strategy}
        data = await self._data("GET", "/v1/templates/recommended", params=params)
        return structure_items(data or [], Template, path="")

    async def by_source_workflow(self, workflow_id: str) -> Template | None:
        """The template made from a workflow, or ``None`` when there is none."""
        data = await self._data("GET", "/v1/templates/by-source-workflow/{}", workflow_id)
        return None if data is None else structure(data, Template)

    async def use(
        self,
        template_id: str,
        *,
        prop_values: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> Workflow:
        """Create a workflow from a template, with values for its props; returns the workflow.

        The workflow (a draft) gets the template's definition and settings, records the
        template (``source_template_id``), and its runs read ``{{$props.key}}`` from
        ``prop_values`` (props left out take the template's default). Unknown prop names and
        missing required props raise :class:`ConfigurationError` before the workflow is made.
        """
        values = dict(json_object(prop_values, "prop_values") or {})
        # Everything that can be checked without the template is checked before any request.
        encode_json({"propValues": values, "name": name, "description": description})
        raw = await self._data("GET", "/v1/templates/{}", template_id)
        template = structure(raw, Template)
        declared = {prop.key: prop for prop in template.template_props}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise ConfigurationError(
                f"template {template_id} has no prop(s) {', '.join(unknown)}; "
                f"it declares: {', '.join(declared) or 'none'}"
            )
        missing = [
            key
            for key, prop in declared.items()
            if prop.required and prop.default is None and key not in values
        ]
        if missing:
            raise ConfigurationError(
                f"template {template_id} needs a value for prop(s): {', '.join(missing)}"
            )
        body = compact(
            name=name or template.name,
            description=description if description is not None else template.description or "",
            definition=raw.get("definition"),
            cooldownMs=template.cooldown_ms,
            maxRuns=template.max_runs,
            uiMetadata=raw.get("uiMetadata"),
            templateId=template.id,
            propValues=values,
        )
        return await self._post(Workflow, "/v1/workflows", json=body)
