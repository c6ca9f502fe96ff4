"""``b3.templates`` against the emulator: versions, visibility, props, stats, recommendations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from area_helpers import DEFINITION

from b3os_async import B3OS, ConfigurationError, NotFoundError, PermissionDeniedError
from b3os_async.models import Template, TemplateTag, TemplateVisibility

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

WHO = [{"key": "who", "type": "string", "required": True}]


async def _template(b3: B3OS, **changes: Any) -> Template:
    fields: dict[str, Any] = {
        "name": "Greeter",
        "description": "says hi",
        "definition": DEFINITION,
        "tags": ["social"],
        "visibility": "org",
        "template_props": WHO,
    }
    fields.update(changes)
    return await b3.templates.create(**fields)


async def _builtin(b3: B3OS, name: str) -> Template:
    return next(iter([t async for t in b3.templates.list(category="promoted") if t.name == name]))


async def test_builtin_templates_are_listed_as_promoted(b3: B3OS) -> None:
    """The emulator starts with built-in templates, listed under the promoted category."""
    promoted = [t async for t in b3.templates.list(category="promoted")]
    assert {t.name for t in promoted} == {"Greeter", "Price alert"}
    assert all(t.is_promoted and t.organization_id is None for t in promoted)


async def test_create_returns_version_one_with_tags_and_props(b3: B3OS) -> None:
    """A created template is version 1 of the caller's org, with typed tags and props."""
    template = await _template(b3)
    assert (template.version, template.visibility) == (1, TemplateVisibility.ORG)
    assert template.tags == (TemplateTag(id="tag_social", name="social", slug="social"),)
    assert [(p.key, p.required) for p in template.template_props] == [("who", True)]


async def test_an_org_template_is_invisible_to_another_organization(
    b3: B3OS, emu: Emulator
) -> None:
    """Another organization's org-visible template is a NotFoundError, not a 403."""
    template = await _template(b3)
    _, other_key = emu.create_org("Other")
    async with B3OS(other_key, base_url=emu.url) as other:
        with pytest.raises(NotFoundError):
            await other.templates.get(template.id)


async def test_a_public_template_is_readable_without_a_key(b3: B3OS, anon: B3OS) -> None:
    """A keyless client reads a public template (GET /v1/templates/{id} needs no key)."""
    template = await _template(b3, visibility="public")
    assert (await anon.templates.get(template.id)).name == "Greeter"


async def test_another_organization_cannot_change_a_public_template(
    b3: B3OS, emu: Emulator
) -> None:
    """Updating someone else's public template is a PermissionDeniedError."""
    template = await _template(b3, visibility="public")
    _, other_key = emu.create_org("Other")
    async with B3OS(other_key, base_url=emu.url) as other:
        with pytest.raises(PermissionDeniedError):
            await other.templates.update(template.id, name="Mine now")


@pytest.mark.slow
async def test_update_adds_a_version_listed_newest_first(b3: B3OS) -> None:
    """A content change is version 2; versions() lists 2, 1 and reports the current one."""
    template = await _template(b3)
    updated = await b3.templates.update(template.id, description="says hello")
    assert updated.version == 2
    page = await b3.templates.versions(template.id).first_page()
    assert [v.version for v in page.items] == [2, 1]
    assert page.extra["currentVersion"] == 2


async def test_versions_count_and_get_version(b3: B3OS) -> None:
    """versions_count counts every version; get_version returns an old one's content."""
    template = await _template(b3)
    await b3.templates.update(template.id, description="v2")
    assert (await b3.templates.versions_count(template.id)).total == 2
    assert (await b3.templates.get_version(template.id, 1)).description == "says hi"


async def test_rollback_adds_a_version_with_the_old_content(b3: B3OS) -> None:
    """Rolling back to version 1 makes version 3 with version 1's description."""
    template = await _template(b3)
    await b3.templates.update(template.id, description="v2")
    rolled = await b3.templates.rollback(template.id, target_version=1)
    assert (rolled.version, rolled.description) == (3, "says hi")


async def test_list_filters_by_tags(b3: B3OS) -> None:
    """tags= keeps the templates having any of the tags."""
    tagged = await _template(b3, tags=["rare-tag"])
    await _template(b3, tags=["other"])
    found = [t.id async for t in b3.templates.list(category="org", tags=["rare-tag"])]
    assert found == [tagged.id]


async def test_use_makes_a_workflow_whose_runs_read_the_props(b3: B3OS, emu: Emulator) -> None:
    """A workflow made with use() records the template and its runs resolve {{$props.who}}."""
    template = await _template(b3)
    workflow = await b3.templates.use(template.id, prop_values={"who": "ana"})
    assert workflow.source_template_id == template.id
    created = await b3.workflows.run(workflow.id, payload={"n": 1})
    run = await emu.wait_for_run(created.run_id)
    assert run["executionState"]["greet"]["result"] == {"who": "ana", "n": 1}


async def test_use_fills_defaults_of_props_left_out(b3: B3OS, emu: Emulator) -> None:
    """A prop with a default needs no value: the built-in Greeter greets 'ser'."""
    greeter = await _builtin(b3, "Greeter")
    workflow = await b3.templates.use(greeter.id)
    created = await b3.workflows.run(workflow.id)
    run = await emu.wait_for_run(created.run_id)
    assert run["executionState"]["greet"]["result"] == {"message": "gm ser"}


async def test_use_refuses_a_missing_required_prop_before_creating(b3: B3OS, emu: Emulator) -> None:
    """A required prop without a value is a ConfigurationError; no workflow is created."""
    template = await _template(b3)
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="who"):
        await b3.templates.use(template.id)
    assert [r.method for r in emu.requests] == ["GET"]


async def test_use_refuses_unknown_props(b3: B3OS) -> None:
    """A prop the template does not declare is a ConfigurationError naming it."""
    template = await _template(b3)
    with pytest.raises(ConfigurationError, match="whom"):
        await b3.templates.use(template.id, prop_values={"who": "a", "whom": "b"})


async def test_stats_count_forks_and_runs(b3: B3OS, emu: Emulator) -> None:
    """stats() counts the workflows made from the template and their runs."""
    template = await _template(b3)
    workflow = await b3.templates.use(template.id, prop_values={"who": "x"})
    await emu.wait_for_run((await b3.workflows.run(workflow.id)).run_id)
    stats = await b3.templates.stats(template.id)
    assert (stats["forkCount"], stats["runCount"], stats["successCount"]) == (1, 1, 1)


async def test_recommended_shares_tags_with_what_the_org_uses(b3: B3OS, emu: Emulator) -> None:
    """After using a 'defi' template, other 'defi' templates are recommended, not the used one."""
    alert = await _builtin(b3, "Price alert")
    await b3.templates.use(alert.id, prop_values={"symbol": "ETH"})
    _, other_key = emu.create_org("Publisher")
    async with B3OS(other_key, base_url=emu.url) as other:
        offered = await _template(other, tags=["defi"], visibility="public")
        await _template(other, tags=["cooking"], visibility="public")
    recommended = await b3.templates.recommended(category="public")
    assert [t.id for t in recommended] == [offered.id]


async def test_by_source_workflow(b3: B3OS) -> None:
    """by_source_workflow finds the template made from a workflow, None for another."""
    wf = await b3.workflows.create(name="src", description="", definition=DEFINITION)
    template = await _template(b3, source_workflow_id=wf.id)
    found = await b3.templates.by_source_workflow(wf.id)
    assert found is not None
    assert found.id == template.id
    assert await b3.templates.by_source_workflow("wf_unrelated") is None


async def test_create_refuses_a_template_props_string_before_io(b3: B3OS, emu: Emulator) -> None:
    """template_props must be a list of dicts: a string is refused before any request."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="template_props"):
        await _template(b3, template_props="who")
    assert list(emu.requests) == []
