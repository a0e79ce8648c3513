"""Shared pieces of the CRM routes: object-type resolution, per-type scope checks, property selection,
HubSpot's record shape (``SimplePublicObjectWithAssociations``) and paging of small in-memory lists."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

from ..config import Config
from ..routing import ApiError, Request, missing_scopes
from ..stats import Stats
from ._portal import ASSOCIATION_TYPES, OBJECT_TYPES, ObjectStore, Portal
from ._standard_types import ALL_SINGULAR, ALL_TYPE_IDS, EXTRA_SCOPES, read_scope
from ._standard_types import DEFAULT_PROPERTIES as STANDARD_DEFAULTS


class CrmHost(Protocol):
    """What the CRM routes read from the sandbox they serve (``app.Sandbox`` is one)."""

    @property
    def portal(self) -> Portal: ...

    @property
    def base_url(self) -> str: ...

    @property
    def config(self) -> Config: ...

    @property
    def stats(self) -> Stats: ...


OBJECT_READ_SCOPES = (*(read_scope(t) for t in OBJECT_TYPES), *EXTRA_SCOPES)
SCHEMA_READ_SCOPES = tuple(f"crm.schemas.{t}.read" for t in OBJECT_TYPES)
# What HubSpot returns when a request names no properties.
DEFAULT_PROPERTIES = {
    "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    "deals": ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate",
              "hs_object_id", "pipeline"],
    "tickets": ["content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline",
                "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject"],
    **STANDARD_DEFAULTS,
}  # fmt: skip
VALID_TYPES = ", ".join(f"{t} ({type_id})" for t, type_id in ALL_TYPE_IDS.items())


def object_type(portal: Portal, name: str) -> str:
    """The canonical type for a path segment; HubSpot's 400 for an unknown one."""
    found = portal.object_type(name)
    if found is None:
        raise ApiError(
            400,
            f"Unable to infer object type from: {name}. This sandbox serves {VALID_TYPES}.",
            "VALIDATION_ERROR",
        )
    return found


def require_read(req: Request, object_type_name: str) -> None:
    """Routes are declared with every object read scope; the token must hold the one for this type."""
    scope = read_scope(object_type_name)
    token = req.token
    if token is not None and not token.has_any((scope,)):
        raise missing_scopes((scope,))


def offset_page(req: Request, items: list[Any], limit: int, link: str | None = None) -> dict[str, Any]:
    """``{"results": …, "paging": …}`` for one page of a list held in memory (owners, a record's
    associations). The ``after`` cursor is opaque to clients, like HubSpot's: the base64 of an offset.
    With ``link`` (the route's URL), ``paging.next`` also carries the next page's address."""
    start = 0
    after = req.arg("after")
    if after:
        try:
            start = int(base64.b64decode(after, validate=True).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            message = f"Invalid value for 'after': '{after[:40]}' is not a paging cursor."
            raise ApiError(400, message) from None
    body: dict[str, Any] = {"results": items[start : start + limit]}
    if start + limit < len(items):
        cursor = base64.b64encode(str(start + limit).encode()).decode()
        body["paging"] = {"next": {"after": cursor, **({"link": f"{link}?after={cursor}"} if link else {})}}
    return body


def batch_inputs(body: Any, maximum: int, split: str) -> list[dict[str, Any]]:
    """The ``inputs`` of a batch-read body, each an object with an ``id``, at most ``maximum`` of
    them; ``split`` ends the message for too many (the two batch reads word it differently)."""
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(x, dict) and "id" in x for x in inputs):
        raise ApiError(
            400, 'Invalid input: the body needs "inputs": [{"id": "..."}, ...].', "VALIDATION_ERROR"
        )
    if len(inputs) > maximum:
        raise ApiError(
            400, f"Batch input size {len(inputs)} exceeds the limit of {maximum}{split}", "VALIDATION_ERROR"
        )
    return inputs


def readable_store(sb: CrmHost, req: Request, name: str) -> ObjectStore:
    """The store for ``name`` after checking the token may read it."""
    t = object_type(sb.portal, name)
    require_read(req, t)
    return sb.portal.stores[t]


def select_properties(store: ObjectStore, requested: list[str] | None) -> list[str]:
    """The property names a response carries: the requested known ones (unknown names are ignored,
    like HubSpot) or the default set, plus the three HubSpot always adds."""
    names = requested or DEFAULT_PROPERTIES[store.object_type]
    always = ["createdate", store.modified_property, "hs_object_id"]
    seen: dict[str, None] = {}
    for name in (*names, *always):
        if name in store.specs:
            seen[name] = None
    return list(seen)


def select_history(store: ObjectStore, requested: list[str]) -> list[str]:
    return list(dict.fromkeys(n for n in requested if n in store.specs))


def record(store: ObjectStore, i: int, names: list[str], history: list[str] | None = None,
           properties: dict[str, str | None] | None = None) -> dict[str, Any]:  # fmt: skip
    """One record in HubSpot's shape."""
    body: dict[str, Any] = {
        "id": store.id_of(i),
        "properties": store.properties(i, names) if properties is None else properties,
        "createdAt": store.created_at(i),
        "updatedAt": store.updated_at(i),
        "archived": i in store.archived,
    }
    if body["archived"]:
        body["archivedAt"] = store.archived_at(i)
    if history:
        body["propertiesWithHistory"] = store.history(i, history)
    return body


def association_targets(portal: Portal, requested: list[str], from_type: str) -> list[str]:
    """The canonical types among ``requested`` that ``from_type`` has associations with (unknown
    names are ignored, like HubSpot)."""
    out: list[str] = []
    for name in requested:
        t = portal.object_type(name)
        if t is not None and (from_type, t) in ASSOCIATION_TYPES and t not in out:
            out.append(t)
    return out


IN_RECORD_LIMIT = 100  # ids per type in a record's associations block; past them the block pages


def v3_associations(
    portal: Portal, from_type: str, i: int, targets: list[str], base_url: str = ""
) -> dict[str, Any]:
    """The v3 ``associations`` member: ``{"companies": {"results": [{"id", "type"}]}}``. A primary
    association is listed twice (labelled and unlabelled), as HubSpot does; a type with no associated
    records is left out. Past ``IN_RECORD_LIMIT`` ids a block stops and carries HubSpot's
    ``paging.next`` (``after`` and a ``link`` to the record's v4 association list, which goes on)."""
    out: dict[str, Any] = {}
    for to_type in targets:
        link = portal.link(from_type, to_type)
        if link is None:
            continue
        other = portal.stores[to_type]
        unlabeled = f"{link.name}_unlabeled" if link.primary_id is not None else link.name
        linked = [(j, primary) for j, primary in link.of(i) if j not in other.archived]
        results = []
        for j, primary in linked[:IN_RECORD_LIMIT]:
            to_id = other.id_of(j)
            if primary:
                results.append({"id": to_id, "type": link.name})
            results.append({"id": to_id, "type": unlabeled})
        if not results:
            continue
        block: dict[str, Any] = {"results": results}
        if len(linked) > IN_RECORD_LIMIT:
            after = base64.b64encode(str(IN_RECORD_LIMIT).encode()).decode()  # offset_page's cursor
            record_id = portal.stores[from_type].id_of(i)
            url = f"{base_url}/crm/v4/objects/{from_type}/{record_id}/associations/{to_type}?after={after}"
            block["paging"] = {"next": {"after": after, "link": url}}
        out[to_type] = block
    return out


def not_found(store: ObjectStore, value: str, id_property: str | None) -> ApiError:
    by = f" by {id_property}" if id_property and id_property != "hs_object_id" else ""
    return ApiError(
        404,
        f"No {ALL_SINGULAR[store.object_type]} with id '{value}'{by} in this portal (archived records need "
        "archived=true). Check the id or list the records first.",
        "OBJECT_NOT_FOUND",
    )


def check_id_property(store: ObjectStore, id_property: str | None) -> None:
    if id_property in (None, "", "hs_object_id"):
        return
    spec = store.specs.get(id_property)
    if spec is None or not spec.unique:
        unique = sorted(n for n, s in store.specs.items() if s.unique)
        raise ApiError(
            400,
            f"Invalid idProperty '{id_property}': it must be a property with unique values "
            f"({', '.join(unique)}).",
            "VALIDATION_ERROR",
        )
