"""Associations v4: ``GET /crm/v4/objects/{from}/{id}/associations/{to}`` and
``POST /crm/v4/associations/{from}/{to}/batch/read`` (≤1,000 ids, HubSpot's cap since Feb 2025),
also at ``/crm/objects/{2026-03,2026-09}/{from}/{id}/associations/{to}`` and
``/crm/associations/{2026-03,2026-09}/{from}/{to}/batch/read``. Batch reads with errors answer 207
in v4 and 2026-03, 200 in 2026-09 (its spec declares no 207). The 2026-09 one-record read is not in
the 2026-09 Associations spec, only in Partner Services' (reference hubspot-2026 §2, unconfirmed for
contacts): the sandbox serves it unless ``record_associations_2026_09`` is off (then 404, as for an
unknown path); clients should prefer the batch read.

Batch read pages per from-record, as HubSpot does: a result carries at most ``BATCH_PAGE`` links and,
when there are more, its own ``paging.next.after``, which the caller sends back as that input's
``after``. The token is the base64 of "<from type id>-<last to id>", URL-quoted, like HubSpot's
``MC0yLTE1OTc0MDA2NTg%3D`` ("0-2-1597400658"). HubSpot's page size there is unconfirmed.

A primary association carries two types, as in HubSpot: the labelled ``Primary`` one and the
unlabelled default (``label: null``). ``toObjectId`` is a number in v4, unlike v3's string ids.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any
from urllib.parse import quote, unquote

from ..routing import ApiError, Request, Response, Router, partial_failure_status
from ..timestamps import iso_ms
from ._portal import Link, Portal
from ._records import (
    OBJECT_READ_SCOPES,
    CrmHost,
    batch_inputs,
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
BATCH_PAGE = 500  # links per from-record in one batch-read answer (HubSpot's figure: unconfirmed)


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


@router.api(
    "GET", "/crm/v4/objects/{from_type}/{record_id}/associations/{to_type}", scopes=OBJECT_READ_SCOPES
)
def list_associations(sb: CrmHost, req: Request) -> Response:
    if req.version == "2026-09" and not sb.config.record_associations_2026_09:
        raise ApiError(404, f"No endpoint at {req.path}.", "OBJECT_NOT_FOUND")
    store = readable_store(sb, req, req.path_params["from_type"])
    to_type = object_type(sb.portal, req.path_params["to_type"])
    require_read(req, to_type)
    i = store.index_of(req.path_params["record_id"])
    if i is None or i in store.archived:
        raise not_found(store, req.path_params["record_id"], None)
    limit = req.int_arg("limit", MAX_LIMIT, maximum=MAX_LIMIT)
    found = associated(sb.portal, store.object_type, to_type, i)
    last = _id_cursor(store.type_id, req.arg("after"))
    if last is None:
        body = offset_page(req, found, limit)
    else:  # a cursor from a batch-read result's paging (its link leads here)
        rest = [x for x in found if x["toObjectId"] > last]
        body = {"results": rest[:limit]}
        if len(rest) > limit:
            body["paging"] = {"next": {"after": _after_token(store.type_id, rest[limit - 1]["toObjectId"])}}
    return Response.json(body, records=len(body["results"]))


@router.api("POST", "/crm/v4/associations/{from_type}/{to_type}/batch/read", scopes=OBJECT_READ_SCOPES)
def batch_read_associations(sb: CrmHost, req: Request) -> Response:
    started = iso_ms(int(time.time() * 1000))
    store = readable_store(sb, req, req.path_params["from_type"])
    to_type = object_type(sb.portal, req.path_params["to_type"])
    require_read(req, to_type)
    inputs = batch_inputs(req.json(), MAX_BATCH, "; split the ids into batches.")
    results, errors = [], []
    for n, item in enumerate(inputs):
        value = str(item["id"])
        i = store.index_of(value)
        found = associated(sb.portal, store.object_type, to_type, i) if i is not None else []
        if found and i not in store.archived:
            after = item.get("after")
            if after not in (None, ""):
                last = _after_id(store.type_id, after, n)
                found = [x for x in found if x["toObjectId"] > last]
            result: dict[str, Any] = {"from": {"id": value}, "to": found[:BATCH_PAGE]}
            if len(found) > BATCH_PAGE:
                token = _after_token(store.type_id, found[BATCH_PAGE - 1]["toObjectId"])
                link = f"{sb.base_url}/crm/v4/objects/{store.object_type}/{value}/associations/{to_type}"
                result["paging"] = {"next": {"after": token, "link": f"{link}?after={token}"}}
            results.append(result)
            continue
        # as HubSpot answers it: a string subCategory, no ``errors``/``links`` (docs/sandbox-spec-gaps.md)
        errors.append({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
            "message": f"No {SINGULAR[to_type]} is associated with {SINGULAR[store.object_type]} {value}.",
            "context": {
                "fromObjectId": [value],
                "fromObjectType": [SINGULAR[store.object_type]],
                "toObjectType": [SINGULAR[to_type]],
            },
        })  # fmt: skip
    out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started}
    if errors:
        out["numErrors"] = len(errors)
        out["errors"] = errors
    out["completedAt"] = iso_ms(int(time.time() * 1000))
    status = partial_failure_status(req.version) if errors else 200
    return Response.json(out, status=status, records=len(results))


def _after_token(type_id: str, last_to_id: int) -> str:
    """The per-input cursor: the page after the link to ``last_to_id`` (HubSpot's spelling)."""
    return quote(base64.b64encode(f"{type_id}-{last_to_id}".encode()).decode(), safe="")


def _id_cursor(type_id: str, after: Any) -> int | None:
    """The last to-id a cursor from ``_after_token`` names, or None if ``after`` is not one."""
    if after in (None, ""):
        return None
    try:
        text = base64.b64decode(unquote(str(after)), validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.rpartition("-")
    return int(number) if prefix == type_id and number.isdigit() else None


def _after_id(type_id: str, after: Any, n: int) -> int:
    """``_id_cursor`` for batch-read input ``n``; HubSpot-style 400 for anything else."""
    last = _id_cursor(type_id, after)
    if last is None:
        raise ApiError(
            400,
            f"Invalid input: inputs[{n}].after '{str(after)[:40]}' is not a paging cursor. Pass back "
            "exactly the paging.next.after of that input's previous result.",
            "VALIDATION_ERROR",
        )
    return last
