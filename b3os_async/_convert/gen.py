"""Code generation of the fast structure functions the private converter decodes responses with.

:mod:`b3os_async._convert` owns the converters and their rules; this module writes, per attrs
class, the Python source of one function that turns a JSON object into an instance, and compiles
it. Only classes whose ``__init__`` would do nothing but store the fields qualify (no validators,
converters, post-init hooks; slotted); every other class keeps cattrs' own function.

Theory of operation
-------------------
What makes the generated functions fast (each trick measured on the benchmarks' payloads;
together they took a page of 20 ``RunListItem`` from ~52 to ~33 us and a ``Run`` with 50 nodes
from ~225 to ~135 us here). Decoding is CPU-bound pure Python, so what counts is the number of
calls and bytecodes per field:

- Slots are filled without a call per field. A frozen class's ``__setattr__`` raises, and
  calling each slot descriptor's ``__set__`` costs about as much as the rest of the field's
  work. So each instance starts life as a private *builder* subclass (:func:`_slot_builder`)
  that adds no slots and restores ``object.__setattr__``: ``obj.name = value`` is then the
  interpreter's specialised slot store. When every field is in, ``obj.__class__ = cls`` (CPython
  allows it because the two layouts are identical) makes it a genuine, frozen ``cls`` instance;
  a half-built object never escapes (an error drops it). Kept because it is user-visible: with
  it a 50-node ``Run`` decodes in 0.52x pydantic's time from a dict and 0.69x from bytes,
  without it in 0.75x and 1.0x (``python -m benchmarks --only model_decode``, side by side,
  2026-12-02), and typed decoding is a fifth of a list request's cost.
- All keys are read by one ``operator.itemgetter`` call; a payload lacking a key raises
  KeyError there, and the function then reads key by key (and keeps doing so for a while, so
  a class whose payloads usually omit a key does not pay for an exception per object).
- Common leaves are checked inline, right type first (``type(v) is not str and v is not
  None``); known enum strings are one dict lookup; ``null`` / ``[]`` lists need no call;
  timestamps go straight to the C ``datetime.fromisoformat`` (3.11+; a "Z"-aware wrapper on
  3.10) and only unusual ones (``""``, naive, Go zero time, other formats, errors) to the hook.

A generated function either returns a complete instance or raises; the converter then re-runs the
same data through cattrs' detailed functions to name the failing field (``_convert._locate``).
"""

from __future__ import annotations

import keyword
import linecache
import operator
import types
import typing
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import attrs

from b3os_async._convert.leaves import (
    Hook,
    NoneType,
    fast_fromisoformat,
    identity,
    is_homogeneous_tuple,
    is_open_enum,
    is_optional,
    type_error,
)

if TYPE_CHECKING:
    import cattrs

__all__ = ["json_key", "make_fast_structure_fn", "to_camel"]

# --------------------------------------------------------------------------------------------
# Names


def to_camel(name: str) -> str:
    """Return the camelCase JSON key for a snake_case attribute name (``run_id`` -> ``runId``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def json_key(attribute: attrs.Attribute[Any]) -> str:
    """The JSON key of an attribute: ``metadata={"json": ...}`` if given, else camelCase."""
    explicit = attribute.metadata.get("json")
    return str(explicit) if explicit else to_camel(attribute.name)


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
# After a payload lacks one of a class's keys, that class reads keys one by one for this many
# calls before trying the all-keys-at-once fetch again (see make_fast_structure_fn).
_PER_KEY_CALLS_AFTER_MISS = 64


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


def _slot_builder(cls: type[Any]) -> type[Any] | None:
    """A private subclass of ``cls`` adding nothing but plain attribute assignment.

    Instances are created as this subclass, filled with ordinary ``obj.name = value`` stores and
    then turned into ``cls`` instances by ``obj.__class__ = cls`` (see the module docstring).
    ``None`` (fill slots through their descriptors instead) if ``cls`` could notice: a custom
    metaclass, ``__init_subclass__`` or ``__del__`` (which would run on a half-built object
    when decoding fails), an attribute name that is not a plain identifier, or a Python that
    refuses the ``__class__`` assignment.
    """
    mro = cls.__mro__[:-1]  # without object
    if type(cls) is not type or any("__init_subclass__" in vars(c) for c in mro):
        return None
    if hasattr(cls, "__del__"):
        return None
    if not all(a.name.isidentifier() and not keyword.iskeyword(a.name) for a in attrs.fields(cls)):
        return None
    # Both names must be object's: CPython derives the one C-level tp_setattro from the pair,
    # and attrs' frozen classes override both. With object's, `obj.name = value` compiles to
    # the interpreter's specialised slot store (no call at all).
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": __name__,
        "__doc__": f"Private: assembles {cls.__qualname__} instances slot by slot.",
    }
    builder = type(f"_Build{cls.__name__}", (cls,), namespace)
    try:
        probe: Any = object.__new__(builder)
        probe.__class__ = cls
    except TypeError:
        return None
    return builder


def _field_lines(
    i: int,
    v: str,
    tp: Any,
    hook: Hook,
    guards: list[str],
    ns: dict[str, Any],
    conv: cattrs.Converter,
) -> list[str]:
    """Generated lines turning JSON value ``v`` of field ``i`` into its attribute value, in place.

    ``guards`` are conditions under which ``v`` must be converted at all (``v is not None`` for an
    optional field, ``v is not __missing`` for a key that may be absent); values failing a guard
    are left as they are. ``hook`` is the field's structure hook (for ``tp``): every inline fast
    path below only takes values whose result it knows equals the hook's, and hands anything
    else to the hook, which converts or raises.
    """
    optional = is_optional(tp)
    inner = next(a for a in typing.get_args(tp) if a is not NoneType) if optional else tp
    ns[f"__hook{i}"], ns[f"__type{i}"] = hook, tp
    call = f"__hook{i}({v}, __type{i})"
    if hook is identity:
        return []
    if inner in _INLINE_CHECKS:
        py_type, expected = _INLINE_CHECKS[inner]
        # The usual case (right type) is decided by the first test.
        cond = " and ".join([f"type({v}) is not {py_type}", *guards])
        return [f"    if {cond}:", f"        raise __type_error({expected!r}, {v})"]
    if inner in _INLINE_FAST_PATHS:
        # The usual JSON type needs no call; the hook converts (1 -> 1.0, 2.0 -> 2) or raises.
        cond = " and ".join([f"type({v}) is not {_INLINE_FAST_PATHS[inner]}", *guards])
        return [f"    if {cond}:", f"        {v} = {call}"]
    if inner is datetime:
        # Timestamps the C parser reads as aware datetimes with a year >= 1000 (so not Go's
        # zero time) are final; "", naive times, exotic formats and errors go to the hook.
        ns["__fromiso"] = fast_fromisoformat
        lines = [
            f"    if type({v}) is str:",
            "        try:",
            f"            t = __fromiso({v})",
            "        except ValueError:",
            "            t = None",
            f"        {v} = t if t is not None and t.tzinfo is not None and {v} >= '1' else {call}",
        ]
        if guards:
            return [*lines, f"    elif {' and '.join(guards)}:", f"        {v} = {call}"]
        return [*lines, "    else:", f"        {v} = {call}"]
    if is_open_enum(inner):
        # Known members by dict lookup; the hook handles None, unknown strings and errors. (A
        # non-string value finds no member; an unhashable one raises TypeError, an error too.)
        ns[f"__members{i}"] = inner._value2member_map_
        return [
            f"    m = __members{i}.get({v})",
            "    if m is not None:",
            f"        {v} = m",
            *_guarded(f"        {v} = {call}", guards, "elif"),
        ]
    if optional:
        # Call the inner type's hook directly: the Optional wrapper would only re-test None.
        ns[f"__hook{i}"], ns[f"__type{i}"] = conv.get_structure_hook(inner), inner
        return _guarded(f"        {v} = {call}", guards, "if")
    if is_homogeneous_tuple(tp):
        # null and [] (Go's nil and empty slices: most lists in a payload) need no call.
        return [
            f"    if {v} is None or (type({v}) is list and not {v}):",
            f"        {v} = ()",
            *_guarded(f"        {v} = {call}", guards, "elif"),
        ]
    return _guarded(f"        {v} = {call}", guards, "if")


def _guarded(line: str, guards: list[str], keyword: str) -> list[str]:
    """``line`` under ``keyword`` (if/elif) and ``guards``; unconditional if there are none."""
    if guards:
        return [f"    {keyword} {' and '.join(guards)}:", line]
    if keyword == "elif":
        return ["    else:", line]
    return [line[4:]]


def make_fast_structure_fn(cls: type[Any], conv: cattrs.Converter) -> Hook | None:
    """Generate a structure function that builds a frozen, slotted instance without ``__init__``.

    cattrs' generated functions end in ``cls(**kwargs)``; for a frozen slotted attrs class that
    means a keyword dict plus one ``object.__setattr__`` call per field, which dominated decoding
    time. Here each value goes straight into its slot (through the builder subclass of
    _slot_builder, else through the slot descriptor's ``__set__``), absent keys take the
    attribute default, and the commonest leaves are type-checked or parsed inline.
    Returns None for a class whose ``__init__`` would do more (see _can_build_directly): cattrs'
    own function must build those.

    All keys are first fetched with one ``operator.itemgetter`` call (one C call instead of one
    ``dict.get`` per field). If a key is absent that raises KeyError; the function then reads
    the keys one by one (``o[key]`` / ``o.get(key)``), and keeps doing so for the next
    _PER_KEY_CALLS_AFTER_MISS calls, so that a class whose payloads usually omit a key does not
    pay for an exception per object. (The counter is shared by threads; a lost update only
    changes which of two equivalent fetches runs.)
    """
    if not _can_build_directly(cls):
        return None
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    builder = _slot_builder(cls)
    ns: dict[str, Any] = {
        "__new": object.__new__,
        "__cls": cls,
        "__type_error": type_error,
        "__missing": _MISSING,
        "__per_key": 0,
    }
    values = [f"v{i}" for i in range(len(fields))]
    per_key, convert = [], []
    for i, attribute in enumerate(fields):
        key, tp, default, v = json_key(attribute), attribute.type, attribute.default, values[i]
        if builder is None:
            ns[f"__set{i}"] = getattr(cls, attribute.name).__set__
            store = f"    __set{i}(obj, {{}})"
        else:
            store = f"    obj.{attribute.name} = {{}}"
        hook = conv.get_structure_hook(tp)
        optional = is_optional(tp)
        # A key that may be absent and then takes a non-None default is read as `__missing`.
        may_be_missing = not (
            default is attrs.NOTHING or (default is None and (optional or hook is identity))
        )
        if default is attrs.NOTHING:
            per_key.append(f"        {v} = o[{key!r}]")
        elif not may_be_missing:
            per_key.append(f"        {v} = o.get({key!r})")
        else:
            per_key.append(f"        {v} = o.get({key!r}, __missing)")
        guards = [f"{v} is not None"] if optional else []
        if may_be_missing:
            guards.append(f"{v} is not __missing")
        convert += _field_lines(i, v, tp, hook, guards, ns, conv)
        if not may_be_missing:
            convert.append(store.format(v))
            continue
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            ns[f"__factory{i}"] = default.factory
            fallback = f"__factory{i}()"
        else:
            ns[f"__default{i}"] = default
            fallback = f"__default{i}"
        convert.append(store.format(f"{fallback} if {v} is __missing else {v}"))
    body = ["    if type(o) is not dict:", "        raise __type_error('a JSON object', o)"]
    if len(fields) > 1:
        ns["__fetch"] = operator.itemgetter(*(json_key(a) for a in fields))
        body = [
            "    global __per_key",
            *body,
            "    if not __per_key:",
            "        try:",
            f"            {', '.join(values)} = __fetch(o)",
            "        except KeyError:",
            f"            __per_key = {_PER_KEY_CALLS_AFTER_MISS + 1}",
            "    if __per_key:",
            "        __per_key -= 1",
            *per_key,
        ]
    else:
        body += [line[4:] for line in per_key]
    if builder is None:
        body += ["    obj = __new(__cls)", *convert, "    return obj"]
    else:
        ns["__builder"] = builder
        body += [
            "    obj = __new(__builder)",
            *convert,
            "    obj.__class__ = __cls",
            "    return obj",
        ]
    name = f"structure_{cls.__name__}"
    source = f"def {name}(o, _=None):\n" + "\n".join(body) + "\n"
    filename = f"<b3os_async generated structure {cls.__module__}.{cls.__qualname__}>"
    # Registered like attrs and cattrs do, so a traceback through a generated function shows
    # its source lines instead of nothing.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), ns)
    return cast("Hook", ns[name])
