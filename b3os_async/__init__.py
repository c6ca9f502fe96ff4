"""b3os-async: the async-first Python SDK for the B3OS API."""

from b3os_async._version import __version__

__all__ = ["__version__"]
