"""Resource classes: one per API area, each method wrapping one endpoint.

The client creates them (``b3.workflows``, ``b3.runs`` ...); they are not constructed directly.
"""

from b3os_async.resources._base import Resource
from b3os_async.resources.runs import Runs
from b3os_async.resources.workflows import Workflows

__all__ = ["Resource", "Runs", "Workflows"]
