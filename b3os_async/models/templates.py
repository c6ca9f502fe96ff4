"""Template models: workflow templates, their props, tags and version counts.

A template is a reusable workflow definition with *props*: named values its nodes read as
``{{$props.key}}`` (``b3.templates.use()`` creates a workflow from it with values for them).
Table schemas, UI metadata and a prop's UI schema (``properties``) are free-form JSON.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import TemplateVisibility
from b3os_async.models.definitions import WorkflowDefinition

__all__ = ["Template", "TemplateProp", "TemplateTag", "TemplateVersionCount"]


@attrs.frozen(kw_only=True)
class TemplateProp:
    """One prop a template declares: ``key`` (the ``{{$props.key}}`` name), type, default.

    ``type`` is ``string``, ``number``, ``integer``, ``boolean`` or ``object``. A prop that is
    ``required`` and has no ``default`` must be given a value when the template is used.
    """

    key: str
    name: str | None = None
    type: str | None = None
    description: str | None = None
    required: bool | None = None
    sensitive: bool | None = None
    default: Any = None
    properties: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class TemplateTag:
    """A tag of a template (``Template.tags``); created with plain tag names."""

    id: str | None = None
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    image_url: str | None = None
    categories: tuple[str, ...] = ()
    weight: int | None = None
    count: int | None = None
    promoted_template_count: int | None = None
    public_template_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Template:
    """A workflow template (one version of it): definition, props, tags, visibility, counts.

    ``organization_id`` is None for B3OS's built-in templates. ``fork_count`` counts the
    workflows made from it. ``version`` is the number of the version this object shows.
    """

    id: str
    name: str | None = None
    description: str | None = None
    slug: str | None = None
    definition: WorkflowDefinition | None = None
    template_props: tuple[TemplateProp, ...] = ()
    tags: tuple[TemplateTag, ...] = ()
    visibility: TemplateVisibility | None = None
    category: str | None = None
    moderation_status: str | None = None
    is_promoted: bool | None = None
    promoted_at: datetime | None = None
    promoted_by: str | None = None
    promoted_order: int | None = None
    version: int | None = None
    fork_count: int | None = None
    source_workflow_id: str | None = None
    archived: bool | None = None
    cooldown_ms: int | None = None
    max_runs: int | None = None
    table_schemas: dict[str, Any] | None = None
    ui_metadata: dict[str, Any] | None = None
    generated_app_id: str | None = None
    generated_app_version_id: str | None = None
    organization_id: str | None = None
    organization_name: str | None = None
    organization_description: str | None = None
    organization_photo: str | None = None
    rejection_reason: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    submitted_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


@attrs.frozen(kw_only=True)
class TemplateVersionCount:
    """Number of stored versions of a template."""

    total: int
