"""b3.workflows.releases against the emulator: answers are the server's JSON objects."""

from __future__ import annotations

import pytest
from area_helpers import definition

from b3os_async import B3OS, ConflictError, NotFoundError

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")


async def test_create_publishes_and_records_a_release(b3: B3OS) -> None:
    """create() makes the draft live; the answer is the release as a dict."""
    wf = await b3.workflows.create(name="r", description="", definition=definition())
    release = await b3.workflows.releases.create(wf.id, expected_version=1)
    assert (release["releaseVersion"], release["workflowVersion"]) == (1, 1)
    assert (await b3.workflows.get(wf.id)).has_live_version


async def test_create_with_a_stale_version_conflicts(b3: B3OS) -> None:
    """expected_version behind the draft: ConflictError."""
    wf = await b3.workflows.create(name="r", description="", definition=definition())
    with pytest.raises(ConflictError):
        await b3.workflows.releases.create(wf.id, expected_version=5)


async def test_list_is_newest_first(b3: B3OS) -> None:
    """list() pages the releases newest first."""
    wf = await b3.workflows.create(name="r", description="", definition=definition())
    await b3.workflows.releases.create(wf.id)
    await b3.workflows.update(wf.id, description="v2")
    await b3.workflows.releases.create(wf.id)
    numbers = [r["releaseVersion"] async for r in b3.workflows.releases.list(wf.id, page_size=1)]
    assert numbers == [2, 1]


async def test_revert_brings_back_a_release(b3: B3OS) -> None:
    """revert(wf, 1) makes release 1's content live again as release 3."""
    wf = await b3.workflows.create(name="r", description="one", definition=definition())
    await b3.workflows.releases.create(wf.id)
    await b3.workflows.update(wf.id, description="two")
    await b3.workflows.releases.create(wf.id)
    reverted = await b3.workflows.releases.revert(wf.id, 1)
    assert (reverted["releaseVersion"], reverted["revertedFrom"]) == (3, 1)
    assert (await b3.workflows.get_live(wf.id)).description == "one"


async def test_revert_to_version(b3: B3OS) -> None:
    """revert_to_version(wf, 1) puts version 1's content live."""
    wf = await b3.workflows.create(name="r", description="one", definition=definition())
    await b3.workflows.publish(wf.id)
    await b3.workflows.update(wf.id, description="two")
    await b3.workflows.publish(wf.id)
    release = await b3.workflows.releases.revert_to_version(wf.id, 1)
    assert release["kind"] == "version_revert"
    assert (await b3.workflows.get_live(wf.id)).description == "one"


async def test_revert_to_an_unknown_release_is_not_found(b3: B3OS) -> None:
    """An unknown release number: NotFoundError."""
    wf = await b3.workflows.create(name="r", description="", definition=definition())
    with pytest.raises(NotFoundError):
        await b3.workflows.releases.revert(wf.id, 9)
