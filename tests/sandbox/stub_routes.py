"""Test-only routes, added to a fresh sandbox so server mechanics (scopes, search limits,
per-record latency, handler crashes) can be tested without depending on the CRM routes' details."""

from __future__ import annotations

from typing import Any

from hubspot_nb.sandbox.routing import Response, Router

router = Router()
READ_CONTACTS = ("crm.objects.contacts.read",)


@router.route("GET", "/stub/records", scopes=READ_CONTACTS, limit="burst")
def records(sb: Any, req: Any) -> Response:
    n = req.int_arg("n", 10, maximum=1000, minimum=0)
    return Response.json({"results": [{"id": str(i)} for i in range(n)]}, records=n)


@router.route("POST", "/stub/search", scopes=READ_CONTACTS, limit="search")
def search(sb: Any, req: Any) -> dict[str, Any]:
    return {"total": 0, "results": []}


@router.route("GET", "/stub/echo/{value}", scopes=None)
def echo(sb: Any, req: Any) -> dict[str, Any]:
    return {"value": req.path_params["value"], "query": req.query}


@router.route("GET", "/stub/crash", scopes=())
def crash(sb: Any, req: Any) -> None:
    raise KeyError("a bug in a handler")


def with_stubs(sb: Any) -> Any:
    sb.router.include(router)
    return sb
