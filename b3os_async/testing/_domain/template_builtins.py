"""The built-in templates every emulator starts with: public, promoted, owned by no organization.

Their definitions run on the emulator's built-in actions, so ``b3os templates use`` and the
docs' examples work out of the box.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILT_INS"]


def _prop(key: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key.capitalize(), "type": kind, "description": description, **extra}


#: The built-in templates every emulator starts with (public, promoted, owned by nobody).
BUILT_INS: tuple[dict[str, Any], ...] = (
    {
        "name": "Greeter",
        "description": "Says good morning to whoever you name",
        "tags": ["starter"],
        "templateProps": [_prop("name", "string", "Who to greet", default="ser")],
        "definition": {
            "nodes": {
                "root": {"type": "manual", "payload": {}, "children": ["greet"]},
                "greet": {"type": "echo", "payload": {"message": "gm {{$props.name}}"}},
            },
            "triggerNodeIds": ["root"],
        },
    },
    {
        "name": "Price alert",
        "description": "Alerts when the price sent to the trigger crosses a threshold",
        "tags": ["defi", "alerts"],
        "templateProps": [
            _prop("symbol", "string", "Token symbol", required=True),
            _prop("threshold", "number", "Alert above this price", default=3000),
        ],
        "definition": {
            "nodes": {
                "root": {"type": "manual", "payload": {}, "children": ["check"]},
                "check": {
                    "type": "if",
                    "payload": {
                        "condition": {
                            "left": "{{root.result.price}}",
                            "op": "$gt",
                            "right": "{{$props.threshold}}",
                        }
                    },
                    "children": ["alert"],
                },
                "alert": {
                    "type": "echo",
                    "branch": "then",
                    "payload": {"alert": "{{$props.symbol}} above {{$props.threshold}}"},
                },
            },
            "triggerNodeIds": ["root"],
        },
    },
)
