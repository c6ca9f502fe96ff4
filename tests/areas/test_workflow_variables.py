"""b3.workflows.variables and b3.runs.variable_writes against the emulator."""

from __future__ import annotations

import pytest
from area_helpers import definition

from b3os_async import B3OS, ConfigurationError, NotFoundError
from b3os_async.models import VariableDef, VariableLifetime, VariableOp, VariableType

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")

COUNT = ("count", "set-variable", {"name": "n", "increment": 1})


async def run(b3: B3OS, wf_id: str) -> str:
    """Run a workflow to its end; the run id."""
    async with b3.workflows.start(wf_id) as handle:
        await handle.wait()
    return handle.run_id


async def test_define_returns_the_definition(b3: B3OS) -> None:
    """define() answers the typed definition."""
    wf = await b3.workflows.create(name="v", description="", definition=definition())
    found = await b3.workflows.variables.define(
        wf.id, "n", type=VariableType.NUMBER, lifetime="persist", default=0, description="count"
    )
    assert found == VariableDef(
        name="n",
        type=VariableType.NUMBER,
        lifetime=VariableLifetime.PERSIST,
        default=0,
        description="count",
    )


async def test_list_shows_the_value_runs_wrote(b3: B3OS) -> None:
    """After two runs a persist counter reads 2, with the last run's id."""
    wf = await b3.workflows.create(name="v", description="", definition=definition(COUNT))
    await b3.workflows.variables.define(wf.id, "n", type="number", lifetime="persist", default=0)
    await run(b3, wf.id)
    last = await run(b3, wf.id)
    (variable,) = await b3.workflows.variables.list(wf.id)
    assert (variable.value, variable.has_value, variable.last_run_id) == (2, True, last)
    assert variable.definition == VariableDef(
        name="n", type=VariableType.NUMBER, lifetime=VariableLifetime.PERSIST, default=0
    )


async def test_a_reset_variable_starts_every_run_from_the_default(b3: B3OS) -> None:
    """A reset counter is back at 1 after every run."""
    wf = await b3.workflows.create(name="v", description="", definition=definition(COUNT))
    await b3.workflows.variables.define(wf.id, "n", type="number", lifetime="reset", default=0)
    for _ in range(3):
        await run(b3, wf.id)
    (variable,) = await b3.workflows.variables.list(wf.id)
    assert variable.value == 1


async def test_set_value_and_reset_show_in_the_history(b3: B3OS) -> None:
    """Manual writes are recorded, newest first."""
    wf = await b3.workflows.create(name="v", description="", definition=definition())
    await b3.workflows.variables.define(wf.id, "t", type="text", lifetime="persist", default="a")
    await b3.workflows.variables.set_value(wf.id, "t", "b")
    await b3.workflows.variables.reset(wf.id, "t")
    writes = [w async for w in b3.workflows.variables.history(wf.id, "t")]
    assert [(w.op, w.new_value) for w in writes] == [
        (VariableOp.MANUAL_RESET, "a"),
        (VariableOp.MANUAL_SET, "b"),
    ]


async def test_variable_writes_of_a_run(b3: B3OS) -> None:
    """b3.runs.variable_writes(run_id) pages the run's writes with their node."""
    wf = await b3.workflows.create(name="v", description="", definition=definition(COUNT))
    await b3.workflows.variables.define(wf.id, "n", type="number", lifetime="persist", default=0)
    run_id = await run(b3, wf.id)
    (write,) = [w async for w in b3.runs.variable_writes(run_id)]
    assert (write.written_by_node, write.old_value, write.new_value) == ("count", 0, 1)


async def test_delete_removes_the_variable(b3: B3OS) -> None:
    """After delete() the list is empty and the workflow declares no variable."""
    wf = await b3.workflows.create(name="v", description="", definition=definition())
    await b3.workflows.variables.define(wf.id, "n", type="number", lifetime="persist")
    assert [d.name for d in (await b3.workflows.get(wf.id)).variable_defs] == ["n"]
    await b3.workflows.variables.delete(wf.id, "n")
    assert await b3.workflows.variables.list(wf.id) == []
    assert (await b3.workflows.get(wf.id)).variable_defs == ()


async def test_an_unknown_variable_is_not_found(b3: B3OS) -> None:
    """reset() of a variable never defined raises NotFoundError (404017)."""
    wf = await b3.workflows.create(name="v", description="", definition=definition())
    with pytest.raises(NotFoundError) as caught:
        await b3.workflows.variables.reset(wf.id, "nope")
    assert caught.value.code == 404017


async def test_variable_names_are_sent_as_one_path_segment(b3: B3OS) -> None:
    """A name with a slash cannot reach another route: it is encoded (and refused, 400)."""
    wf = await b3.workflows.create(name="v", description="", definition=definition())
    with pytest.raises(Exception, match="variable name"):
        await b3.workflows.variables.define(wf.id, "a/b", type="text", lifetime="persist")


async def test_history_page_size_must_be_positive(b3: B3OS) -> None:
    """A page size of 0 is refused before any request."""
    with pytest.raises(ConfigurationError):
        b3.workflows.variables.history("wf_x", "n", page_size=0)
