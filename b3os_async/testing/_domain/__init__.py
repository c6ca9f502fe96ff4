"""The emulator's domain layer: what the objects of each API area are and which changes are legal.

Why a layer of its own (and not code in the HTTP handlers)
----------------------------------------------------------
Seven more API areas (~180 operations) will be added by copying whatever pattern the existing
ones show. Rules written inside handlers get copied, half-remembered, into the next handler that
needs them (a second "run" endpoint, a bulk endpoint, a CLI command); rules kept here are called.
So the split is:

* ``routes/<area>.py`` (HTTP): parse and validate input, call the domain, render JSON. Nothing
  there changes state by assigning fields.
* ``_domain/<area>.py`` (this package, no aiohttp): the objects of an area, their state machine
  (methods that check a transition is legal, apply it and say what happened), the construction
  of new objects (e.g. a run from a workflow version), and the *book* that stores an area's
  objects per organization with the indexes its list endpoints page through (see
  ``_collection.py``). Module names mirror ``b3os_async/resources/<area>.py``.

Transitions are methods on the domain objects (``Workflow.publish``, ...) because the object owns
the state they check; the book applies them (``WorkflowBook.change``) so that indexes and
activity notifications follow every change from one place and cannot be forgotten by a handler.
A simple area whose objects have no rules beyond create/get/list/update/delete needs no module
here: the generic :class:`~b3os_async.testing._collection.Collection` is its book.
"""
