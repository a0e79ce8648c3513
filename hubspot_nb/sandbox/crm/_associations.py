"""Associations v4: ``GET /crm/v4/objects/{from}/{id}/associations/{to}`` and
``POST /crm/v4/associations/{from}/{to}/batch/read`` (≤1,000 ids, HubSpot's cap since Feb 2025).

A primary association carries two types, as in HubSpot: the labelled ``Primary`` one and the
unlabelled default (``label: null``). ``toObjectId`` is a number in v4, unlike v3's string ids.
"""

from __future__ import annotations

import time
from typing import Any

from ..routing import ApiError, Request, Response, Router
from ..timestamps import iso_ms
from ._portal import Link, Portal
from ._records import (
    OBJECT_READ_SCOPES,
    CrmHost,
    not_found,
    object_type,
    offset_page,
    readable_store,
    require_read,
)
from ._standard_types import ALL_SINGULAR as SINGULAR

router = Router()
MAX_BATCH = 1_000
MAX_LIMIT = 500


def association_types(link: Link, primary: bool) -> list[dict[str, Any]]:
    types = []
    if primary and link.primary_id is not None:
        types.append({"category": "HUBSPOT_DEFINED", "typeId": link.primary_id, "label": "Primary"})
    types.append({"category": "HUBSPOT_DEFINED", "typeId": link.plain_id, "label": None})
    return types


def associated(portal: Portal, from_type: str, to_type: str, i: int) -> list[dict[str, Any]]:
    """``[{toObjectId, associationTypes}]`` for record index ``i`` (archived targets left out)."""
    link = portal.link(from_type, to_type)
    if link is None:
        return []
    other = portal.stores[to_type]
    return [
        {"toObjectId": other.id_array[j], "associationTypes": association_types(link, primary)}
        for j, primary in link.of(i)
        if j not in other.archived
    ]


@router.route(
    "GET",
    "/crm/v4/objects/{from_type}/{record_id}/associations/{to_type}",
    scopes=OBJECT_READ_SCOPES,
    limit="burst",
)
def list_associations(sb: CrmHost, req: Request) -> Response:
    store = readable_store(sb, req, req.path_params["from_type"])
    to_type = object_type(sb.portal, req.path_params["to_type"])
    require_read(req, to_type)
    i = store.index_of(req.path_params["record_id"])
    if i is None or i in store.archived:
        raise not_found(store, req.path_params["record_id"], None)
    limit = req.int_arg("limit", MAX_LIMIT, maximum=MAX_LIMIT)
    body = offset_page(req, associated(sb.portal, store.object_type, to_type, i), limit)
    return Response.json(body, records=len(body["results"]))


@router.route("POST", "/crm/v4/associations/{from_type}/{to_type}/batch/read", scopes=OBJECT_READ_SCOPES,
              limit="burst")  # fmt: skip
def batch_read_associations(sb: CrmHost, req: Request) -> Response:
    started = iso_ms(int(time.time() * 1000))
    store = readable_store(sb, req, req.path_params["from_type"])
    to_type = object_type(sb.portal, req.path_params["to_type"])
    require_read(req, to_type)
    body = req.json()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(x, dict) and "id" in x for x in inputs):
        raise ApiError(400, 'Invalid input: the body needs "inputs": [{"id": "..."}, ...].')
    if len(inputs) > MAX_BATCH:
        raise ApiError(
            400,
            f"Batch input size {len(inputs)} exceeds the limit of {MAX_BATCH}; split the ids into batches.",
        )
    results, errors = [], []
    for item in inputs:
        value = str(item["id"])
        i = store.index_of(value)
        found = associated(sb.portal, store.object_type, to_type, i) if i is not None else []
        if found and i not in store.archived:
            results.append({"from": {"id": value}, "to": found})
            continue
        errors.append({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
            "message": f"No {SINGULAR[to_type]} is associated with {SINGULAR[store.object_type]} {value}.",
            "context": {"fromObjectId": [value]},
            "links": {},
        })  # fmt: skip
    out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started}
    if errors:
        out["numErrors"] = len(errors)
        out["errors"] = errors
    out["completedAt"] = iso_ms(int(time.time() * 1000))
    return Response.json(out, status=207 if errors else 200, records=len(results))
