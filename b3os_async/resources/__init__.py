"""Resource classes: one per API area, each method wrapping one endpoint.

The client creates them (``b3.workflows``, ``b3.runs`` ...); they are not constructed directly.
Each lives in its own module (``runs``, ``workflows``, ``activity``), imported only when the
client first needs it: this package imports nothing, so touching ``b3.runs`` does not also load
the workflow models.
"""
