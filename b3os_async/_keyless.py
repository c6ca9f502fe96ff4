"""``B3OS.public()``: a client without an API key, for the routes that need none.

Kept apart from :mod:`b3os_async._client` (which uses it) to keep that module short. ``public``
is one name with two doors: on the class, the factory of a keyless client; on a client, the
:class:`~b3os_async.resources.public.Public` resource. A keyless client is a normal
:class:`~b3os_async.B3OS` whose session manager has no key: it sends no ``Authorization`` and
refuses non-public paths before any request (``SessionManager.url_for``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async._client import B3OS
    from b3os_async.resources.public import Public

__all__ = ["KEYLESS", "PublicAccess"]

#: The ``api_key`` of ``B3OS.public()``: compared by identity, so no string a caller passes can
#: equal it (and a real key check would refuse it anyway: it holds a NUL).
KEYLESS = "\x00keyless"


class PublicAccess:
    """``B3OS.public(...)`` on the class, ``b3.public`` on a client (see the module docstring).

    On a client the resource is made once, then kept in the instance's ``__dict__``, which takes
    precedence over this non-data descriptor.
    """

    @overload
    def __get__(self, instance: None, owner: type[B3OS]) -> Callable[..., B3OS]: ...

    @overload
    def __get__(self, instance: B3OS, owner: type[B3OS]) -> Public: ...

    def __get__(self, instance: B3OS | None, owner: type[B3OS]) -> Callable[..., B3OS] | Public:
        if instance is None:
            return functools.partial(public_client, owner)
        from b3os_async.resources.public import Public

        resource = instance.__dict__["public"] = Public(instance._requester)
        return resource


def public_client(cls: type[B3OS], *, base_url: str | None = None, **settings: Any) -> B3OS:
    """A client without an API key, for the public routes only: ``B3OS.public(base_url=...)``.

    It can call ``b3.public.*`` and read public templates (``b3.templates.get``); any other call
    raises :class:`ConfigurationError` before a request is sent. ``B3OS_API_KEY`` and
    ``B3OS_ORG_ID`` are ignored; ``settings`` are the other keyword arguments of :class:`B3OS`
    (``timeout``, ``retry``, ``session`` ...).
    """
    return cls(KEYLESS, base_url=base_url, **settings)
