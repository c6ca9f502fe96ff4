"""The one private cattrs converter: API JSON (camelCase) <-> our attrs models (snake_case).

Theory of operation
-------------------
* One set of rules, built by :func:`_make_converter`, covers every attrs class we own: a hook
  *factory* generates (and cattrs caches) a specialised structure / unstructure function per
  class, renaming each attribute to its camelCase JSON key (or ``metadata={"json": "..."}`` for an
  irregular key). No class is mapped by hand.
* Two converters are built from those rules. The *fast* one (``detailed_validation=False``,
  extra keys allowed) decodes every response. Its per-class functions are generated here (see
  :func:`_make_fast_structure_fn`): cattrs' own end in ``cls(**kwargs)``, and for frozen slotted
  classes that keyword call plus one ``object.__setattr__`` per field cost more than everything
  else together; ours fill the slots directly and type-check common leaves inline (a ``Run`` with
  50 nodes decodes about as fast as with pydantic v2). Only when the fast pass fails do we run the
  same data through the *detailed* converter (cattrs-generated functions), whose exception groups
  carry notes naming attributes, indices and keys; we walk them to build a field path such as
  ``items[3].status`` or ``execution_state['fetch'].started_at`` and raise
  :class:`ResponseValidationError`. Callers never see a bare cattrs / KeyError / ValueError.
* Forward compatibility: unknown JSON keys are ignored; unknown enum strings become pseudo-members
  (see :class:`~b3os_async.models.OpenEnum`); ``null`` for a list field reads as an empty tuple
  (Go encodes nil slices as ``null``); ``null``, ``""`` and Go's zero time read as ``None`` for
  optional timestamps.
* Strictness where it matters: ``str`` / ``int`` / ``float`` / ``bool`` fields check the JSON type
  instead of coercing (cattrs' default would turn ``5`` into ``"5"`` and ``"false"`` into ``True``).
* Timestamps: RFC 3339 with ``Z``, numeric offsets and up to 9 fractional digits (Go's
  ``RFC3339Nano``) become timezone-aware ``datetime`` objects. A timestamp without an offset is
  taken as UTC. Python 3.10's ``fromisoformat`` accepts neither ``Z`` nor 9 digits, so we try it
  first (fast path) and fall back to a regex normaliser.
* Unstructuring (request bodies) goes back to camelCase and drops attributes equal to their default
  (``None`` optionals, empty lists), tuples become lists, datetimes become RFC 3339 strings.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from b3os_async._convert_leaves import (
    OPTIONAL_LEAVES,
    Hook,
    NoneType,
    format_datetime,
    identity,
    is_attrs_class,
    is_homogeneous_tuple,
    is_open_enum,
    is_optional,
    is_str_dict,
    optional_enum_hook,
    parse_datetime,
    structure_bool,
    structure_datetime,
    structure_enum,
    structure_float,
    structure_int,
    structure_json_object,
    structure_str,
    type_error,
)
from b3os_async._errors import ResponseValidationError
from b3os_async.models._enums import OpenEnum

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "format_datetime",
    "parse_datetime",
    "structure",
    "structure_items",
    "to_camel",
    "unstructure",
]

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Names


def to_camel(name: str) -> str:
    """Return the camelCase JSON key for a snake_case attribute name (``run_id`` -> ``runId``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _json_key(attribute: attrs.Attribute[Any]) -> str:
    explicit = attribute.metadata.get("json")
    return str(explicit) if explicit else to_camel(attribute.name)


def _renames(cls: type[Any]) -> dict[str, Any]:
    """cattrs overrides mapping every attribute of ``cls`` to its JSON key.

    An attribute marked ``metadata={"always_send": True}`` is sent in request bodies even when it
    equals its default (e.g. a node's ``payload``, which the API requires even when empty).
    """
    return {
        a.name: override(rename=_json_key(a), omit_if_default=False)
        if a.metadata.get("always_send")
        else override(rename=_json_key(a))
        for a in attrs.fields(cls)
    }


# --------------------------------------------------------------------------------------------
# Fast structuring of our attrs classes

_MISSING = object()
# Leaf types checked inline in generated code (no hook call): type -> (Python type, description).
_INLINE_CHECKS: dict[Any, tuple[str, str]] = {
    str: ("str", "a string"),
    bool: ("bool", "a boolean"),
    dict[str, Any]: ("dict", "a JSON object"),
}
# Leaf types whose usual JSON type is accepted inline (other values go through their hook).
_INLINE_FAST_PATHS: dict[Any, str] = {int: "int", float: "float"}


def _can_build_directly(cls: type[Any]) -> bool:
    """True if instances can be assembled slot by slot, i.e. ``__init__`` would do nothing more."""
    # __init__ would run these hooks, or (cache_hash=True) reset the hidden hash-cache slot.
    hooks = ("__attrs_pre_init__", "__attrs_post_init__", "_attrs_cached_hash")
    if any(hasattr(cls, hook) for hook in hooks):
        return False
    for attribute in attrs.fields(cls):
        if attribute.validator or attribute.converter or not attribute.init:
            return False
        if not isinstance(getattr(cls, attribute.name, None), types.MemberDescriptorType):
            return False  # not slotted
        default = attribute.default
        if isinstance(default, attrs.Factory) and default.takes_self:  # type: ignore[arg-type]
            return False
    return True


def _make_fast_structure_fn(cls: type[Any], conv: cattrs.Converter) -> Hook:
    """Generate a structure function that builds a frozen, slotted instance without ``__init__``.

    cattrs' generated functions end in ``cls(**kwargs)``; for a frozen slotted attrs class that
    means a keyword dict plus one ``object.__setattr__`` call per field, which dominated decoding
    time. Here each value goes straight into its slot through the slot descriptor, absent keys
    take the attribute default, and the commonest optional leaves are type-checked inline.
    Only used for classes whose ``__init__`` would do nothing else (see _can_build_directly).
    """
    attrs.resolve_types(cls)
    ns: dict[str, Any] = {
        "__new": object.__new__,
        "__cls": cls,
        "__type_error": type_error,
        "__missing": _MISSING,
    }
    body = [
        "    if type(o) is not dict:",
        "        raise __type_error('a JSON object', o)",
        "    obj = __new(__cls)",
    ]
    for i, attribute in enumerate(attrs.fields(cls)):
        key, tp, default = _json_key(attribute), attribute.type, attribute.default
        ns[f"__set{i}"] = getattr(cls, attribute.name).__set__
        optional = is_optional(tp)
        inner = next(a for a in typing.get_args(tp) if a is not NoneType) if optional else tp
        hook = conv.get_structure_hook(tp)
        ns[f"__hook{i}"], ns[f"__type{i}"] = hook, tp
        # A key that may be absent and then takes a non-None default is read as `__missing`.
        may_be_missing = not (
            default is attrs.NOTHING or (default is None and (optional or hook is identity))
        )
        if default is attrs.NOTHING:
            body.append(f"    v = o[{key!r}]")
        elif not may_be_missing:
            body.append(f"    v = o.get({key!r})")
        else:
            body.append(f"    v = o.get({key!r}, __missing)")
        # How to turn the JSON value `v` into the attribute value (None stays None if optional).
        if hook is identity:
            value = "v"
        elif inner in _INLINE_CHECKS:
            py_type, expected = _INLINE_CHECKS[inner]
            guard = "v is not None and " if optional else ""
            if may_be_missing:
                guard += "v is not __missing and "
            body.append(f"    if {guard}type(v) is not {py_type}:")
            body.append(f"        raise __type_error({expected!r}, v)")
            value = "v"
        elif inner in _INLINE_FAST_PATHS:
            # The usual JSON type needs no call; anything else goes through the hook, which
            # converts (1 -> 1.0, 2.0 -> 2) or raises.
            guard = ("v is not None and " if optional else "") + (
                "v is not __missing and " if may_be_missing else ""
            )
            body.append(f"    if {guard}type(v) is not {_INLINE_FAST_PATHS[inner]}:")
            body.append(f"        v = __hook{i}(v, __type{i})")
            value = "v"
        elif is_open_enum(inner):
            # Known members by dict lookup; the hook handles None, unknown strings and errors.
            ns[f"__members{i}"] = inner._value2member_map_
            body.append(f"    m = __members{i}.get(v) if type(v) is str else None")
            value = f"__hook{i}(v, __type{i}) if m is None else m"
        elif optional:
            value = f"None if v is None else __hook{i}(v, __type{i})"
        else:
            value = f"__hook{i}(v, __type{i})"
        if not may_be_missing:
            body.append(f"    __set{i}(obj, {value})")
            continue
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            ns[f"__factory{i}"] = default.factory
            fallback = f"__factory{i}()"
        else:
            ns[f"__default{i}"] = default
            fallback = f"__default{i}"
        body.append(f"    __set{i}(obj, {fallback} if v is __missing else ({value}))")
    body.append("    return obj")
    name = f"structure_{cls.__name__}"
    source = f"def {name}(o, _=None):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<b3os_async structure {cls.__qualname__}>", "exec"), ns)
    return cast("Hook", ns[name])


# --------------------------------------------------------------------------------------------
# The converter factory


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    """Build a converter with our rules; ``detailed`` selects error-collecting hooks."""
    conv = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=False)

    for tp, hook in (
        (str, structure_str),
        (int, structure_int),
        (float, structure_float),
        (bool, structure_bool),
        (datetime, structure_datetime),
        # Our enums subclass str: they need this more specific entry or the str hook would win.
        (OpenEnum, structure_enum),
    ):
        conv.register_structure_hook(tp, hook)
    conv.register_unstructure_hook(datetime, format_datetime)

    def note_failure(exc: Exception, label: str, index: Any, tp: Any) -> Exception:
        note = IterableValidationNote(f"Structuring @ {label} {index!r}", index, tp)
        # (cast: mypy targets 3.10, whose BaseException stubs lack __notes__)
        cast("Any", exc).__notes__ = [*getattr(exc, "__notes__", []), note]
        return exc

    def optional_factory(tp: Any) -> Hook:
        inner = next(arg for arg in typing.get_args(tp) if arg is not NoneType)
        if inner in OPTIONAL_LEAVES:
            return OPTIONAL_LEAVES[inner]
        if is_open_enum(inner):
            return optional_enum_hook(inner)
        hook = conv.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure_optional

    def tuple_factory(tp: Any) -> Hook:
        elem = typing.get_args(tp)[0]
        hook = conv.get_structure_hook(elem)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if value is None:  # Go encodes a nil slice as null
                return ()
            if type(value) is not list:
                raise type_error("a JSON array", value)
            if hook is identity:
                return tuple(value)
            if not detailed:
                return tuple([hook(item, elem) for item in value])
            out, errors = [], []
            for index, item in enumerate(value):
                try:
                    out.append(hook(item, elem))
                except Exception as exc:
                    errors.append(note_failure(exc, "index", index, elem))
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return tuple(out)

        return structure_tuple

    def dict_factory(tp: Any) -> Hook:
        elem = typing.get_args(tp)[1]
        if elem is Any:
            return structure_json_object
        hook = conv.get_structure_hook(elem)

        def structure_dict(value: Any, _: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise type_error("a JSON object", value)
            if not detailed:
                return {key: hook(item, elem) for key, item in value.items()}
            out, errors = {}, []
            for key, item in value.items():
                try:
                    out[key] = hook(item, elem)
                except Exception as exc:
                    errors.append(note_failure(exc, "key", key, elem))
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return out

        return structure_dict

    def attrs_structure_factory(cls: type[Any]) -> Hook:
        if not detailed and _can_build_directly(cls):
            return _make_fast_structure_fn(cls, conv)
        # The detailed converter (and any class with validators/converters) uses cattrs' own
        # generated function, whose exception groups carry the notes _locate() reads.
        generated = make_dict_structure_fn(
            cls,
            conv,
            _cattrs_forbid_extra_keys=False,
            _cattrs_detailed_validation=detailed,
            **_renames(cls),
        )

        def structure_object(value: Any, tp: Any) -> Any:
            # `key in value` would be satisfied by a string and skip every optional field.
            if type(value) is not dict:
                raise type_error("a JSON object", value)
            return generated(value, tp)

        return structure_object

    def attrs_unstructure_factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **_renames(cls))

    def tuple_unstructure_factory(tp: Any) -> Callable[[Any], list[Any]]:
        hook = conv.get_unstructure_hook(typing.get_args(tp)[0])
        return lambda value: [hook(item) for item in value]

    # Predicate hooks (consulted after the class hooks above); none of the predicates overlap.
    conv.register_structure_hook_func(lambda tp: tp is Any, identity)
    conv.register_structure_hook_factory(is_attrs_class, attrs_structure_factory)
    conv.register_structure_hook_factory(is_homogeneous_tuple, tuple_factory)
    conv.register_structure_hook_factory(is_str_dict, dict_factory)
    conv.register_structure_hook_factory(is_optional, optional_factory)
    conv.register_unstructure_hook_factory(is_attrs_class, attrs_unstructure_factory)
    conv.register_unstructure_hook_factory(is_homogeneous_tuple, tuple_unstructure_factory)
    return conv


_FAST = _make_converter(detailed=False)
_DETAILED = _make_converter(detailed=True)


# --------------------------------------------------------------------------------------------
# Errors


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field is missing"
    return str(exc) or type(exc).__name__


def _locate(exc: BaseException, path: str) -> tuple[str, BaseException]:
    """Follow the first failure through cattrs' exception groups, building its field path."""
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        with_notes, without = exc.group_exceptions()
        if with_notes:
            sub, note = with_notes[0]
            if isinstance(note, AttributeValidationNote):
                step = f"{path}.{note.name}" if path else note.name
            else:
                index = note.index
                step = f"{path}[{index!r}]"
            return _locate(sub, step)
        if without:
            return _locate(without[0], path)
    return path, exc


def _count_failures(exc: BaseException) -> int:
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        return sum(_count_failures(sub) for sub in exc.exceptions)
    return 1


def _type_name(tp: Any) -> str:
    if is_homogeneous_tuple(tp):
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    return str(getattr(tp, "__name__", None) or tp)


def _validation_error(data: Any, tp: Any, path: str, first: BaseException) -> Exception:
    """Re-run ``data`` through the detailed converter and describe where it fails."""
    try:
        _DETAILED.structure(data, tp)
    except Exception as detailed_exc:
        where, leaf = _locate(detailed_exc, path)
        more = _count_failures(detailed_exc) - 1
        name = _type_name(tp)
        location = f" at {where}" if where else ""
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        message = f"Response did not match {name}{location}: {_describe(leaf)}{suffix}"
        return ResponseValidationError(message, path=where or None)
    # Both converters share their rules, so this is not expected; report the first failure.
    return ResponseValidationError(
        f"Response did not match {_type_name(tp)}: {_describe(first)}", path=path or None
    )


# --------------------------------------------------------------------------------------------
# Public (package-internal) API


def structure(data: Any, cls: type[T], *, path: str = "") -> T:
    """Decode JSON ``data`` into ``cls``; raise :class:`ResponseValidationError` naming the field.

    ``path`` is a prefix for reported paths (e.g. ``"items[3]"``).
    """
    try:
        return _FAST.structure(data, cls)
    except Exception as exc:
        raise _validation_error(data, cls, path, exc) from None


def structure_items(data: Any, cls: type[T], *, path: str = "items") -> tuple[T, ...]:
    """Decode a JSON array of ``cls`` (a page's ``items``); paths read like ``items[3].status``."""
    tp = cast("Any", tuple)[cls, ...]
    try:
        return cast("tuple[T, ...]", _FAST.structure(data, tp))
    except Exception as exc:
        raise _validation_error(data, tp, path, exc) from None


def unstructure(obj: Any) -> Any:
    """Encode a model (or a plain value holding models) as camelCase JSON-ready data."""
    return _FAST.unstructure(obj)
