"""Request shapes of ``b3.caddie_memory`` (row format: ``tests/test_request_shapes.py``).

These endpoints answer ``{"data": …}`` without ``code``/``requestId`` (``Bare`` below).
"""

from __future__ import annotations

from support.table import Bare, Req, Row

from rows.organizations import LEARN, LEARNT

M = "/v1/organizations/org_1/caddie-memory"
ITEM = {"scope": "profile", "key": "name", "text": "Ada"}
PAGE = {"items": [ITEM], "hasMore": False, "enabled": True, "orgEnabled": False}

ROWS = [
    Row(
        "caddie_memory.list",
        lambda b3: b3.caddie_memory.list(),
        [LEARN, Req("GET", M, {"offset": ["0"]})],
        [LEARNT, Bare({"data": PAGE})],
    ),
    Row(
        "caddie_memory.settings",
        lambda b3: b3.caddie_memory.settings(org_id="org_1"),
        Req("GET", M, {"limit": ["1"]}),
        Bare({"data": PAGE}),
    ),
    Row(
        "caddie_memory.update",
        lambda b3: b3.caddie_memory.update("profile", "name", "Ada L.", org_id="org_1"),
        Req("PUT", f"{M}/profile/name", json={"text": "Ada L."}),
        None,
    ),
    Row(
        "caddie_memory.delete",
        lambda b3: b3.caddie_memory.delete("notes", "a/b", org_id="org_1"),
        Req("DELETE", f"{M}/notes/a%2Fb"),
        None,
    ),
    Row(
        "caddie_memory.delete_all",
        lambda b3: b3.caddie_memory.delete_all(org_id="org_1"),
        Req("DELETE", M),
        Bare({"data": {"cleared": 3}}),
    ),
    Row(
        "caddie_memory.set_enabled",
        lambda b3: b3.caddie_memory.set_enabled(False, org_id="org_1"),
        Req("PUT", f"{M}/settings", json={"enabled": False}),
        Bare({"data": {"enabled": False}}),
    ),
    Row(
        "caddie_memory.set_org_enabled",
        lambda b3: b3.caddie_memory.set_org_enabled(True, org_id="org_1"),
        Req("PUT", f"{M}/org-settings", json={"enabled": True}),
        Bare({"data": {"enabled": True}}),
    ),
]
