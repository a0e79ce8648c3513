"""Owners (``GET /crm/v3/owners``) and pipelines (``GET /crm/v3/pipelines/{objectType}``), so clients
can show names instead of ids for ``hubspot_owner_id``, ``pipeline`` and ``dealstage``; also at
``/crm/owners/{2026-03,2026-09}`` and ``/crm/pipelines/{2026-03,2026-09}/{objectType}`` (no schema
change in 2026-09)."""

from __future__ import annotations

from typing import Any

from ..routing import ApiError, Request, Response, Router
from ._catalogue import PIPELINES
from ._records import OBJECT_READ_SCOPES, CrmHost, object_type, offset_page, require_read

router = Router()
OWNER_SCOPES = ("crm.objects.owners.read",)


@router.api("GET", "/crm/v3/owners", scopes=OWNER_SCOPES, slash=True)
def list_owners(sb: CrmHost, req: Request) -> Response:
    limit = req.int_arg("limit", 100, maximum=500)
    archived = req.bool_arg("archived")
    owners = [o for o in sb.portal.owners if o["archived"] == archived]
    email = req.arg("email")
    if email:
        owners = [o for o in owners if o["email"].lower() == email.lower()]
    body = offset_page(req, owners, limit, link=f"{sb.base_url}{req.path.rstrip('/')}")
    return Response.json(body, records=len(body["results"]))


@router.api("GET", "/crm/v3/owners/{owner_id}", scopes=OWNER_SCOPES)
def get_owner(sb: CrmHost, req: Request) -> dict[str, Any]:
    key = "userId" if req.arg("idProperty") == "userId" else "id"
    wanted = req.path_params["owner_id"]
    for owner in sb.portal.owners:
        if str(owner[key]) == wanted and owner["archived"] == req.bool_arg("archived"):
            return owner
    raise ApiError(
        404, f"No owner with {key} {wanted}. List owners with GET /crm/v3/owners.", "OBJECT_NOT_FOUND"
    )


def _pipelines(sb: CrmHost, req: Request) -> list[dict[str, Any]]:
    t = object_type(sb.portal, req.path_params["object_type"])
    if t not in PIPELINES:
        raise ApiError(
            400, f"{t} have no pipelines; pipelines exist for {', '.join(PIPELINES)}.", "VALIDATION_ERROR"
        )
    require_read(req, t)
    return sb.portal.pipelines[t]


@router.api("GET", "/crm/v3/pipelines/{object_type}", scopes=OBJECT_READ_SCOPES)
def list_pipelines(sb: CrmHost, req: Request) -> dict[str, Any]:
    return {"results": _pipelines(sb, req)}


@router.api("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}", scopes=OBJECT_READ_SCOPES)
def get_pipeline(sb: CrmHost, req: Request) -> dict[str, Any]:
    for pipeline in _pipelines(sb, req):
        if pipeline["id"] == req.path_params["pipeline_id"]:
            return pipeline
    raise ApiError(404, f"No pipeline with id {req.path_params['pipeline_id']}.", "OBJECT_NOT_FOUND")


@router.api("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages", scopes=OBJECT_READ_SCOPES)
def list_stages(sb: CrmHost, req: Request) -> dict[str, Any]:
    return {"results": get_pipeline(sb, req)["stages"]}
