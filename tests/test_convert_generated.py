"""The generated decoders are readable in tracebacks (their source is in ``linecache``)."""

from __future__ import annotations

import linecache
import traceback

import pytest

from b3os_async._convert import structure
from b3os_async._convert.converter import _FAST
from b3os_async.models import Run, RunListItem


def test_generated_source_is_registered_in_linecache() -> None:
    """The decoder generated for a model has its source lines in linecache, under its file name."""
    hook = _FAST.get_structure_hook(RunListItem)
    filename = hook.__code__.co_filename
    assert filename.startswith("<b3os_async generated structure ")
    lines = linecache.getlines(filename)
    assert lines[0].startswith("def structure_RunListItem(")


def test_traceback_through_a_generated_decoder_shows_its_code() -> None:
    """A failure inside a generated decoder prints the generated line, not an empty frame."""
    hook = _FAST.get_structure_hook(Run)
    with pytest.raises(Exception) as info:
        hook({"id": "run_1", "status": "success", "startedAt": 5}, Run)
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<b3os_async generated")]
    assert generated
    assert generated[-1].line  # the source line is known


def test_structure_reports_the_field_path_after_a_generated_failure() -> None:
    """The public decoding path still names the failing field."""
    with pytest.raises(Exception, match="started_at"):
        structure({"id": "run_1", "status": "success", "startedAt": 5}, Run)
