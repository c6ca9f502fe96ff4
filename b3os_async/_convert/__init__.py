"""Decoding API JSON into models and encoding models as API JSON (the one private converter).

* :mod:`.converter` -- the cattrs converters and their rules (theory of operation there);
* :mod:`.gen` -- generated fast structure functions (how they are made fast is told there);
* :mod:`.leaves` -- leaf hooks: timestamps, strict scalars, open enums, type predicates.
"""

from b3os_async._convert.converter import (
    format_datetime,
    parse_datetime,
    structure,
    structure_items,
    to_camel,
    unstructure,
)

__all__ = [
    "format_datetime",
    "parse_datetime",
    "structure",
    "structure_items",
    "to_camel",
    "unstructure",
]
