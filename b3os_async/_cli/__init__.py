"""Private implementation of the ``b3os`` command (entry point: :func:`b3os_async.cli.main`).

Nothing here is imported by ``import b3os_async``; rich (extra ``cli``) is imported lazily, only
when stdout is a terminal, and its absence falls back to plain output.
"""
