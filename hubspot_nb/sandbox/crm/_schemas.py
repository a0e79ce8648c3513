"""Custom object schemas and lists: what HubSpot answers for a portal with neither (the sandbox has no
custom objects and no lists). Unsupported by HubSpot from September 2027 (v1–v3 cut-off)."""

from __future__ import annotations

from typing import Any

from ..routing import Request, Router
from ._records import CrmHost

router = Router()


@router.route("GET", "/crm/v3/schemas", scopes=("crm.schemas.custom.read",), limit="burst")
def list_schemas(sb: CrmHost, req: Request) -> dict[str, Any]:
    return {"results": []}


@router.route("POST", "/crm/v3/lists/search", scopes=("crm.lists.read",), limit="burst")
def search_lists(sb: CrmHost, req: Request) -> dict[str, Any]:
    body = req.json()
    offset = body.get("offset", 0) if isinstance(body, dict) else 0
    return {"lists": [], "hasMore": False, "offset": offset if isinstance(offset, int) else 0, "total": 0}
