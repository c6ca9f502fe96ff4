"""What every resource shares: the session, decoding into models, pagers, request bodies.

A resource method is then a few lines: path, params, body, model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from b3os_async._convert import structure, unstructure
from b3os_async._errors import BadRequestError, ConfigurationError
from b3os_async._transport.http import NOT_GIVEN
from b3os_async._transport.paths import check_run_id, new_run_id
from b3os_async.models.runs import RunCreated
from b3os_async.pagination import AsyncPager

if TYPE_CHECKING:
    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import SessionManager
    from b3os_async.models.definitions import WorkflowDefinition

__all__ = ["DUPLICATE_RUN_ID", "Resource", "compact", "definition_json"]

T = TypeVar("T")

#: API error code for "duplicate run ID" (400): the run id was already used.
DUPLICATE_RUN_ID = 400079


def compact(**fields: Any) -> dict[str, Any]:
    """A JSON body from keyword arguments already named as the API names them; None is dropped."""
    return {key: value for key, value in fields.items() if value is not None}


def definition_json(definition: WorkflowDefinition | Mapping[str, Any]) -> dict[str, Any]:
    """A definition as JSON: a model goes through the converter, a plain mapping is sent as is."""
    if attrs.has(type(definition)):
        return dict(unstructure(definition))
    if isinstance(definition, Mapping):
        return dict(definition)
    raise ConfigurationError(
        f"definition must be a WorkflowDefinition or a dict, got {type(definition).__name__}"
    )


def json_object(value: Mapping[str, Any] | None, name: str) -> dict[str, Any] | None:
    """Copy an optional free-form JSON object argument (``payload``, ``prop_values`` ...)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)


class Resource:
    """Base of the resource classes: holds the session and the shared request helpers."""

    def __init__(self, session: SessionManager) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._session!r})"

    async def _call(
        self,
        model: type[T],
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
    ) -> T:
        """Send a request and decode its (unwrapped) data into ``model``."""
        data = await self._session.request(
            method, path, params=params, json=json, idempotent=idempotent
        )
        return structure(data, model)

    async def _call_optional(
        self, model: type[T], method: str, path: str, *, json: Any = NOT_GIVEN
    ) -> T | None:
        """Like :meth:`_call` for endpoints whose answer is undocumented: decode an object with
        an ``id`` into ``model``, anything else (no data, ``{}``, a message) into None."""
        data = await self._session.request(method, path, json=json)
        if isinstance(data, dict) and "id" in data:
            return structure(data, model)
        return None

    def _pager(
        self,
        model: type[T],
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[T]:
        """A lazy pager over a list endpoint (no request is made here)."""
        return AsyncPager(
            self._session, path, model, params=params, page_size=page_size, max_items=max_items
        )

    async def _create_run(self, path: str, body: dict[str, Any], run_id: str | None) -> RunCreated:
        """POST a run-creating request with a client-generated ``runId``, safely retried.

        The run id makes the POST idempotent: a resend cannot start a second run, the API
        answers it with 400 "duplicate run ID" (code 400079). Such an answer to a *retried*
        attempt means an earlier attempt got through, so it counts as success. On the first
        attempt it is a genuine reuse of the id and is raised.
        """
        run_id = new_run_id() if run_id is None else check_run_id(run_id)
        body = {**body, "runId": run_id}
        try:
            data = await self._session.request("POST", path, json=body, idempotent=True)
        except BadRequestError as exc:
            if str(exc.code) == str(DUPLICATE_RUN_ID) and exc.attempts > 1:
                return RunCreated(run_id=run_id)
            raise
        if isinstance(data, dict) and "runId" in data:
            return structure(data, RunCreated)
        # The run was accepted and its id is ours; an answer without it loses nothing.
        return RunCreated(run_id=run_id)
