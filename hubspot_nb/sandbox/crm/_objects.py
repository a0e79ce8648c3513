"""CRM object routes: object lists, single records, batch read, the property catalogue, and the
``POST /_sandbox/touch`` control. Search, associations, owners and pipelines live in their own
modules (``_search``, ``_associations``, ``_meta``); ``crm/__init__`` joins their routers.

Each is served at its legacy path (``/crm/v3/objects/{objectType}``, ``/crm/v3/properties/…``) and
at the dated ones (``/crm/objects/2026-03/{objectType}``, ``/crm/objects/2026-09/…``,
``/crm/properties/2026-09/…``) over the same data. The versions differ where their specs do: a
batch read with unknown ids answers 207 in v3 and 2026-03 and 200 in 2026-09 (same body, with
``errors`` and ``numErrors``); 2026-09 drops record ``warnings`` and property display hints, which
the sandbox never sends.

Shapes and limits follow HubSpot (see shared/reference/hubspot-api.md §2): ``limit`` default 10,
max 100 (50 with ``propertiesWithHistory``); an ``after`` cursor (base64 of the next record id, like
HubSpot's ``NTI1Cg==``, or another style: ``config.list_cursor``); ``paging`` absent on the last
page; batch read ≤100 inputs, ``errors`` for ids that do not exist.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import hmac
import os
import time
from typing import Any
from urllib.parse import urlencode

from ..routing import ApiError, Request, Response, Router, partial_failure_status
from ..timestamps import iso_ms
from ._catalogue import property_groups
from ._json import page_response, records_json
from ._portal import ObjectStore
from ._records import (
    OBJECT_READ_SCOPES,
    SCHEMA_READ_SCOPES,
    CrmHost,
    association_targets,
    batch_inputs,
    check_id_property,
    not_found,
    object_type,
    readable_store,
    record,
    select_history,
    select_properties,
    v3_associations,
)
from ._standard_types import STANDARD_TYPES, standard_groups

router = Router()
MAX_LIMIT = 100
MAX_LIMIT_WITH_HISTORY = 50
MAX_BATCH_INPUTS = 100
PROPERTY_SCOPES = OBJECT_READ_SCOPES + SCHEMA_READ_SCOPES


# -- cursors -------------------------------------------------------------------------------------
_CURSOR_KEY = os.urandom(16)  # signs "opaque" cursors: a client cannot write one


def encode_after(record_id: int, style: str = "id") -> str:
    """The list cursor for a page starting at ``record_id``. HubSpot's own example is the base64
    of the next record id and a newline (``NTI1Cg==``); ``style`` picks another (config.LIST_CURSORS)."""
    if style == "plain":
        return str(record_id)
    if style == "opaque":
        mac = hmac.new(_CURSOR_KEY, str(record_id).encode(), hashlib.sha256).hexdigest()[:16]
        return base64.urlsafe_b64encode(f"{record_id}.{mac}".encode()).decode()
    return base64.b64encode(f"{record_id}\n".encode()).decode()


def decode_after(after: str, style: str = "id", issued: set[str] | None = None) -> int:
    try:
        if style == "issued" and after not in (issued or ()):
            raise ValueError("not a cursor this sandbox handed out")
        if style == "plain":
            return int(after)
        if style == "opaque":
            number, _signature = base64.urlsafe_b64decode(after.encode()).decode().split(".")
            if not hmac.compare_digest(encode_after(int(number), "opaque"), after):
                raise ValueError("bad signature")
            return int(number)
        return int(base64.b64decode(after.encode(), validate=True).decode().strip())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(
            400,
            f"Invalid value for 'after': '{after[:40]}' is not a paging cursor. Pass back exactly the "
            "value of paging.next.after from the previous page.",
            "VALIDATION_ERROR",
        ) from None


def page_indices(
    store: ObjectStore, after: str | None, limit: int, archived: bool, style: str = "id"
) -> tuple[list[int], int | None]:
    """The record indices of one page and the index the next page starts at (None: last page)."""
    ids = store.id_array
    start = bisect.bisect_left(ids, decode_after(after, style, store.issued_cursors)) if after else 0
    if archived:
        pool = store.archived_sorted
        k = bisect.bisect_left(pool, start)
        chosen = pool[k : k + limit]
        return chosen, pool[k + limit] if k + limit < len(pool) else None
    out: list[int] = []
    i, n, skip = start, len(ids), store.archived
    while i < n and len(out) < limit:
        if i not in skip:
            out.append(i)
        i += 1
    while i < n and i in skip:
        i += 1
    return out, i if i < n else None


def next_link(sb: CrmHost, req: Request, after: str) -> str:
    query = {k: v[-1] for k, v in req.query.items() if k != "after"}
    query["after"] = after
    return f"{sb.base_url}{req.path}?{urlencode(query)}"


# -- objects -------------------------------------------------------------------------------------
@router.api("GET", "/crm/v3/objects/{object_type}", scopes=OBJECT_READ_SCOPES)
def list_objects(sb: CrmHost, req: Request) -> Response:
    store = readable_store(sb, req, req.path_params["object_type"])
    history = select_history(store, req.args("propertiesWithHistory"))
    maximum = MAX_LIMIT_WITH_HISTORY if req.args("propertiesWithHistory") else MAX_LIMIT
    limit = req.int_arg("limit", 10, maximum=maximum)
    archived = req.bool_arg("archived")
    names = select_properties(store, req.args("properties"))
    targets = association_targets(sb.portal, req.args("associations"), store.object_type)
    style = sb.config.list_cursor
    indices, next_index = page_indices(store, req.arg("after"), limit, archived, style)
    extras = None
    if targets:
        extras = {}
        for i in indices:
            linked = v3_associations(sb.portal, store.object_type, i, targets, sb.base_url)
            if linked:
                extras[i] = {"associations": linked}
    paging = None
    if next_index is not None:
        after = encode_after(store.id_array[next_index], style)
        if style == "issued":
            store.issued_cursors.add(after)
        paging = {"next": {"after": after, "link": next_link(sb, req, after)}}
    results = records_json(store, indices, names, history, extras)
    return page_response(results, len(indices), paging=paging)


@router.api("GET", "/crm/v3/objects/{object_type}/{record_id}", scopes=OBJECT_READ_SCOPES)
def get_object(sb: CrmHost, req: Request) -> Response:
    store = readable_store(sb, req, req.path_params["object_type"])
    id_property = req.arg("idProperty")
    check_id_property(store, id_property)
    value = req.path_params["record_id"]
    i = store.find(value, id_property)
    if i is None or (i in store.archived) != req.bool_arg("archived"):
        raise not_found(store, value, id_property)
    item = record(store, i, select_properties(store, req.args("properties")),
                  select_history(store, req.args("propertiesWithHistory")))  # fmt: skip
    targets = association_targets(sb.portal, req.args("associations"), store.object_type)
    if targets:
        item["associations"] = v3_associations(sb.portal, store.object_type, i, targets, sb.base_url)
    return Response.json(item, records=1)


def _string_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"Invalid input: '{key}' must be a list of property names.", "VALIDATION_ERROR")
    return value


@router.api("POST", "/crm/v3/objects/{object_type}/batch/read", scopes=OBJECT_READ_SCOPES)
def batch_read(sb: CrmHost, req: Request) -> Response:
    started = iso_ms(int(time.time() * 1000))
    store = readable_store(sb, req, req.path_params["object_type"])
    body = req.json()
    inputs = batch_inputs(body, MAX_BATCH_INPUTS, f". Split the ids into batches of {MAX_BATCH_INPUTS}.")
    id_property = body.get("idProperty")
    check_id_property(store, id_property)
    names = select_properties(store, _string_list(body, "properties"))
    history = select_history(store, _string_list(body, "propertiesWithHistory"))
    archived = req.bool_arg("archived")
    results, missing, seen = [], [], set()
    for item in inputs:
        value = str(item["id"])
        i = store.find(value, id_property)
        if i is None or (i in store.archived) != archived:
            missing.append(value)
        elif i not in seen:  # HubSpot answers each record once however often it is asked for
            seen.add(i)
            results.append(record(store, i, names, history))
    out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started}
    if missing:
        kind = store.object_type[:-1].upper() if store.object_type != "companies" else "COMPANY"
        out["numErrors"] = 1
        # HubSpot's item carries these four fields only: no subCategory, and none of the spec's
        # required ``errors``/``links`` (docs/sandbox-spec-gaps.md, allowed in the conformance test)
        out["errors"] = [{
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {kind} objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing},
        }]  # fmt: skip
    out["completedAt"] = iso_ms(int(time.time() * 1000))
    status = partial_failure_status(req.version) if missing else 200
    return Response.json(out, status=status, records=len(results))


# -- properties ----------------------------------------------------------------------------------
@router.api("GET", "/crm/v3/properties/{object_type}", scopes=PROPERTY_SCOPES)
def list_properties(sb: CrmHost, req: Request) -> dict[str, Any]:
    store = sb.portal.stores[object_type(sb.portal, req.path_params["object_type"])]
    specs = store.archived_specs if req.bool_arg("archived") else list(store.specs.values())
    wanted = set(req.args("properties"))
    results = [s.to_json(n) for n, s in enumerate(specs) if not wanted or s.name in wanted]
    return {"results": results}


@router.api("GET", "/crm/v3/properties/{object_type}/groups", scopes=PROPERTY_SCOPES)
def list_groups(sb: CrmHost, req: Request) -> dict[str, Any]:
    t = object_type(sb.portal, req.path_params["object_type"])
    return {"results": standard_groups(t) if t in STANDARD_TYPES else property_groups(t)}


@router.api("GET", "/crm/v3/properties/{object_type}/{property_name}", scopes=PROPERTY_SCOPES)
def get_property(sb: CrmHost, req: Request) -> dict[str, Any]:
    store = sb.portal.stores[object_type(sb.portal, req.path_params["object_type"])]
    name = req.path_params["property_name"]
    specs = store.archived_specs if req.bool_arg("archived") else list(store.specs.values())
    for n, spec in enumerate(specs):
        if spec.name == name:
            return spec.to_json(n)
    raise ApiError(
        404,
        f"Unable to find property {name} on {store.object_type}. List the names with "
        f"GET /crm/v3/properties/{store.object_type}.",
        "OBJECT_NOT_FOUND",
    )


# -- control -------------------------------------------------------------------------------------
@router.route("POST", "/_sandbox/touch")
def touch(sb: CrmHost, req: Request) -> dict[str, Any]:
    """Modify records now: ``{"object_type": "contacts", "fraction": 0.01}`` or ``{"ids": [...]}``."""
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(400, 'Send {"object_type": "contacts", "fraction": 0.01} or {"ids": [...]}.')
    store = sb.portal.stores[object_type(sb.portal, str(body.get("object_type", "contacts")))]
    if "ids" in body:
        ids = body["ids"]
        if not isinstance(ids, list):
            raise ApiError(400, "'ids' must be a list of record ids.")
        indices = [store.index_of(v) for v in ids]
        unknown = [str(v) for v, i in zip(ids, indices, strict=True) if i is None or i in store.archived]
        if unknown:
            raise ApiError(400, f"No active {store.object_type} with ids {', '.join(unknown[:20])}.")
        chosen = sorted({i for i in indices if i is not None})
    else:
        fraction = body.get("fraction", 0.01)
        if not isinstance(fraction, (int, float)) or isinstance(fraction, bool) or not 0 < fraction <= 1:
            raise ApiError(400, "'fraction' must be a number above 0 and at most 1.")
        chosen = store.sample(float(fraction))
    now = int(time.time() * 1000)
    touched = store.touch(chosen, now)
    return {"object_type": store.object_type, "ids": touched, "touchedAt": iso_ms(now)}
