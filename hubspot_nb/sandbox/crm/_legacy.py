"""Legacy CRM families that released third-party extractors still call, with HubSpot's v1/v2 shapes:
property definitions v2, CRM pipelines v1 and engagements v1 (paged). HubSpot ends each on the date
noted at its route (reference hubspot-2026.md §1): v1–v3 APIs become unsupported in September 2027;
the pipelines v1 API is sunset on 4 December 2026.
"""

from __future__ import annotations

from typing import Any

from ..routing import ApiError, Request, Response, Router
from ._catalogue import CATALOGUE_CREATED_MS, PIPELINES, PropertySpec
from ._columns import MsColumn
from ._records import OBJECT_READ_SCOPES, SCHEMA_READ_SCOPES, CrmHost, object_type, require_read
from ._standard_types import ENGAGEMENTS, engagement_json

router = Router()
PROPERTY_SCOPES = OBJECT_READ_SCOPES + SCHEMA_READ_SCOPES
# v2 also answers for "form" (Airbyte's forms stream reads its schema there). What HubSpot lists is
# unconfirmed; the sandbox answers the contact properties its forms collect, never an error.
FORM_NAMES = ("form", "forms")
FORM_FIELDS = ("email", "firstname", "lastname", "company", "phone", "jobtitle", "message")


def property_v2(spec: PropertySpec, display_order: int) -> dict[str, Any]:
    """A property definition in the v2 shape (epoch-ms dates, ``deleted``, flat read-only flags)."""
    made = CATALOGUE_CREATED_MS + display_order * 60_000
    return {
        "name": spec.name,
        "label": spec.label,
        "description": spec.description,
        "groupName": spec.group,
        "type": spec.type,
        "fieldType": spec.field_type,
        "options": [
            {
                "label": label,
                "value": value,
                "displayOrder": n,
                "hidden": False,
                "description": "",
                "readOnly": False,
            }
            for n, (value, label) in enumerate(spec.options)
        ],
        "displayOrder": display_order if not spec.hubspot_defined else -1,
        "hidden": False,
        "calculated": spec.calculated,
        "externalOptions": False,
        "deleted": spec.archived,
        "hubspotDefined": spec.hubspot_defined,
        "formField": not (spec.read_only or spec.calculated),
        "readOnlyValue": spec.read_only or spec.calculated,
        "readOnlyDefinition": spec.hubspot_defined,
        "mutableDefinitionNotDeletable": spec.hubspot_defined,
        "hasUniqueValue": spec.unique,
        "favorited": False,
        "createdAt": made,
        "updatedAt": made,
        "createdUserId": None if spec.hubspot_defined else 1001,
    }


# Properties v2: unsupported from September 2027 (v1–v3 cut-off).
@router.route("GET", "/properties/v2/{object_type}/properties", scopes=PROPERTY_SCOPES, limit="burst")
def list_properties_v2(sb: CrmHost, req: Request) -> Response:
    name = req.path_params["object_type"]
    forms = name.lower() in FORM_NAMES
    store = sb.portal.stores["contacts" if forms else object_type(sb.portal, name)]
    specs = [s for s in store.specs.values() if not forms or s.name in FORM_FIELDS]
    body = [property_v2(s, n) for n, s in enumerate(specs)]
    return Response.json(body, records=len(body))


# CRM pipelines v1: sunset by HubSpot on 4 December 2026 (CL /pipelines-api-v1-sunset); use v3.
@router.route("GET", "/crm-pipelines/v1/pipelines/{object_type}", scopes=OBJECT_READ_SCOPES, limit="burst")
def list_pipelines_v1(sb: CrmHost, req: Request) -> dict[str, Any]:
    t = object_type(sb.portal, req.path_params["object_type"])
    if t not in PIPELINES:
        raise ApiError(400, f"{t} have no pipelines; pipelines exist for {', '.join(PIPELINES)}.")
    require_read(req, t)
    out = []
    for order, (pid, label, stages) in enumerate(PIPELINES[t]):
        out.append({
            "pipelineId": pid, "objectType": t[:-1].upper() if t != "companies" else "COMPANY",
            "objectTypeId": sb.portal.stores[t].type_id, "label": label, "displayOrder": order,
            "active": True, "default": order == 0, "createdAt": CATALOGUE_CREATED_MS,
            "updatedAt": CATALOGUE_CREATED_MS,
            "stages": [
                {"stageId": sid, "label": slabel, "displayOrder": n, "active": True,
                 "createdAt": CATALOGUE_CREATED_MS, "updatedAt": CATALOGUE_CREATED_MS,
                 "metadata": ({"isClosed": str(closed).lower(), "probability": prob} if prob is not None
                              else {"ticketState": "CLOSED" if closed else "OPEN"})}
                for n, (sid, slabel, prob, closed) in enumerate(stages)
            ],
        })  # fmt: skip
    return {"results": out}


_METADATA = {  # engagement type -> (metadata key, property name)
    "calls": [("title", "hs_call_title"), ("body", "hs_call_body"),
              ("durationMilliseconds", "hs_call_duration"), ("status", "hs_call_status")],
    "notes": [("body", "hs_note_body")],
    "meetings": [("title", "hs_meeting_title"), ("body", "hs_meeting_body"),
                 ("meetingOutcome", "hs_meeting_outcome")],
    "tasks": [("subject", "hs_task_subject"), ("body", "hs_task_body"), ("status", "hs_task_status"),
              ("priority", "hs_task_priority"), ("taskType", "hs_task_type")],
}  # fmt: skip


def engagement_index(sb: CrmHost) -> list[tuple[str, int]]:
    """Every engagement as (type, record index), by id: the order engagements v1 pages in."""
    portal = sb.portal
    rows = [(int(portal.stores[t].id_of(i)), t, i) for t in ENGAGEMENTS for i in range(len(portal.stores[t]))]
    return [(t, i) for _, t, i in sorted(rows)]


# Engagements v1: unsupported from September 2027 (v1–v3 cut-off); CRM v3 calls/notes/… replace it.
@router.route(
    "GET", "/engagements/v1/engagements/paged", scopes=("crm.objects.contacts.read",), limit="burst"
)
def list_engagements(sb: CrmHost, req: Request) -> Response:
    limit = req.int_arg("limit", 100, maximum=250)
    start = req.int_arg("offset", 0, minimum=0)
    everything = engagement_index(sb)
    hub_id = int(getattr(sb, "hub_id", 0))
    results = []
    for t, i in everything[start : start + limit]:
        store = sb.portal.stores[t]
        props = store.properties(i, [n for _, n in _METADATA[t]] + ["hubspot_owner_id"])
        metadata: dict[str, Any] = {k: props[n] for k, n in _METADATA[t] if props[n] is not None}
        if "durationMilliseconds" in metadata:
            metadata["durationMilliseconds"] = int(metadata["durationMilliseconds"])
        if t == "meetings":
            metadata["startTime"] = store.created[i]
            end_column = store.columns["hs_meeting_end_time"]
            metadata["endTime"] = end_column.ms[i] if isinstance(end_column, MsColumn) else None
        keys = ("contactIds", "companyIds", "dealIds", "ownerIds", "workflowIds", "ticketIds")
        ids: dict[str, list[int]] = {k: [] for k in keys}
        for other, key in (("contacts", "contactIds"), ("deals", "dealIds")):
            link = sb.portal.link(t, other)
            if link is not None:
                ids[key] = [int(sb.portal.stores[other].id_of(j)) for j, _ in link.of(i)]
        engagement = engagement_json(t, props, store.id_of(i), hub_id, store.created[i], store.modified[i])
        results.append(
            {"engagement": engagement, "associations": ids, "attachments": [], "metadata": metadata}
        )
    end = start + len(results)
    body = {"results": results, "hasMore": end < len(everything), "offset": end}
    return Response.json(body, records=len(results))
