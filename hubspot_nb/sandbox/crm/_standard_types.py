"""HubSpot's other standard CRM object types: engagements (calls, emails, meetings, notes, tasks,
communications, postal mail), commerce (products, line items, quotes) and leads, goal targets,
feedback submissions and deal splits. Each resolves by plural name, singular name and ``0-x`` type id,
has HubSpot's default properties, and (``build_standard_stores``) records where they help the demo:
calls, notes, meetings and tasks on contacts and deals; products, and line items on deals. The rest are
empty, as in a portal that never used them. Deterministic for the portal seed.

Sources: type ids and singular names — HubSpot's "Object type IDs" table (developers.hubspot.com,
docs/api-reference/crm-*/guide, "understanding the CRM"); default properties — the engagement guides
(``hs_timestamp``, ``hs_call_title``/``hs_call_body``/``hs_call_duration``/``hs_call_direction``/
``hs_call_status``, ``hs_note_body``, ``hs_meeting_title``/``hs_meeting_body``/``hs_meeting_start_time``/
``hs_meeting_end_time``/``hs_meeting_outcome``, ``hs_task_subject``/``hs_task_body``/``hs_task_status``/
``hs_task_priority``/``hs_task_type``), the products guide (``name``, ``price``, ``description``,
``hs_sku``) and the line items guide (``name``, ``quantity``, ``price``, ``amount``, ``hs_product_id``);
association type ids — the associations v4 "association type id values" table.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from ._catalogue import OBJECT_TYPE_IDS, SINGULAR, PropertySpec, _opts, _owner_options
from ._columns import Column, LazyColumn, MsColumn, NumberColumn, mix
from ._generate import Draw, owner_column, timeline, to_array

# plural -> (singular, type id, read scope HubSpot asks for)
STANDARD_TYPES: dict[str, tuple[str, str, str]] = {
    "calls": ("call", "0-48", "crm.objects.contacts.read"),
    "emails": ("email", "0-49", "crm.objects.contacts.read"),
    "meetings": ("meeting", "0-47", "crm.objects.contacts.read"),
    "notes": ("note", "0-46", "crm.objects.contacts.read"),
    "tasks": ("task", "0-27", "crm.objects.contacts.read"),
    "communications": ("communication", "0-18", "crm.objects.contacts.read"),
    "postal_mail": ("postal_mail", "0-116", "crm.objects.contacts.read"),
    "products": ("product", "0-7", "e-commerce"),
    "line_items": ("line_item", "0-8", "crm.objects.line_items.read"),
    "quotes": ("quote", "0-14", "crm.objects.quotes.read"),
    "leads": ("lead", "0-136", "crm.objects.leads.read"),
    "goal_targets": ("goal_target", "0-74", "crm.objects.goals.read"),
    "feedback_submissions": ("feedback_submission", "0-19", "crm.objects.feedback_submissions.read"),
    "deal_splits": ("deal_split", "0-91", "crm.objects.deals.read"),
}
EXTRA_SCOPES = tuple(sorted({s for _, _, s in STANDARD_TYPES.values()}))

# Every type the portal answers for: the four core ones first.
ALL_TYPE_IDS = {**OBJECT_TYPE_IDS, **{t: v[1] for t, v in STANDARD_TYPES.items()}}
ALL_SINGULAR = {**SINGULAR, **{t: v[0] for t, v in STANDARD_TYPES.items()}}


def read_scope(object_type: str) -> str:
    """The scope HubSpot wants to read ``object_type``: engagements ride on the contacts scope, and
    tickets use ``tickets`` (HubSpot's specs list no ``crm.objects.tickets.read`` on the ticket
    operations); the others ``crm.objects.<type>.read``."""
    if object_type in STANDARD_TYPES:
        return STANDARD_TYPES[object_type][2]
    return "tickets" if object_type == "tickets" else f"crm.objects.{object_type}.read"


# What HubSpot returns when a request names no properties (createdate, hs_lastmodifieddate and
# hs_object_id are added anyway).
DEFAULT_PROPERTIES: dict[str, list[str]] = {
    "calls": ["hs_timestamp", "hs_call_title", "hs_call_body"],
    "emails": ["hs_timestamp", "hs_email_subject", "hs_email_direction"],
    "meetings": ["hs_timestamp", "hs_meeting_title", "hs_meeting_body"],
    "notes": ["hs_timestamp", "hs_note_body"],
    "tasks": ["hs_timestamp", "hs_task_subject", "hs_task_status"],
    "communications": ["hs_timestamp", "hs_communication_channel_type", "hs_communication_body"],
    "postal_mail": ["hs_timestamp", "hs_postal_mail_body"],
    "products": ["name", "price", "description"],
    "line_items": ["name", "quantity", "price", "amount"],
    "quotes": ["hs_title", "hs_expiration_date", "hs_status"],
    "leads": ["hs_lead_name", "hs_pipeline_stage"],
    "goal_targets": ["hs_goal_name", "hs_target_amount"],
    "feedback_submissions": ["hs_survey_name", "hs_response_group"],
    "deal_splits": ["hs_split_percentage"],
}
GROUPS = {
    t: [(f"{v[0]}information", f"{v[0].replace('_', ' ').capitalize()} information")]
    for t, v in STANDARD_TYPES.items()
}


def standard_groups(object_type: str) -> list[dict[str, Any]]:
    return [
        {"name": n, "label": label, "displayOrder": i, "archived": False}
        for i, (n, label) in enumerate(GROUPS[object_type])
    ]


QUERY_PROPERTIES = {t: [n for n in names if n != "hs_timestamp"] for t, names in DEFAULT_PROPERTIES.items()}

_KINDS = {  # property name -> (label, type, fieldType, options)
    "hs_timestamp": ("Activity date", "datetime", "date", None),
    "hs_call_title": ("Call Title", "string", "text", None),
    "hs_call_body": ("Call notes", "string", "html", None),
    "hs_call_duration": ("Call duration", "number", "number", None),
    "hs_call_direction": (
        "Call direction",
        "enumeration",
        "select",
        _opts("INBOUND", "Inbound", "OUTBOUND", "Outbound"),
    ),
    "hs_call_status": (
        "Call status",
        "enumeration",
        "select",
        _opts("COMPLETED", "Completed", "BUSY", "Busy", "NO_ANSWER", "No answer", "FAILED", "Failed"),
    ),
    "hs_note_body": ("Note body", "string", "html", None),
    "hs_meeting_title": ("Meeting name", "string", "text", None),
    "hs_meeting_body": ("Meeting description", "string", "html", None),
    "hs_meeting_start_time": ("Start Time", "datetime", "date", None),
    "hs_meeting_end_time": ("End Time", "datetime", "date", None),
    "hs_meeting_outcome": (
        "Meeting outcome",
        "enumeration",
        "select",
        _opts(
            "SCHEDULED",
            "Scheduled",
            "COMPLETED",
            "Completed",
            "RESCHEDULED",
            "Rescheduled",
            "NO_SHOW",
            "No Show",
            "CANCELED",
            "Canceled",
        ),
    ),
    "hs_task_subject": ("Task Title", "string", "text", None),
    "hs_task_body": ("Notes", "string", "html", None),
    "hs_task_status": (
        "Task Status",
        "enumeration",
        "select",
        _opts(
            "NOT_STARTED",
            "Not Started",
            "IN_PROGRESS",
            "In Progress",
            "WAITING",
            "Waiting",
            "COMPLETED",
            "Completed",
            "DEFERRED",
            "Deferred",
        ),
    ),
    "hs_task_priority": (
        "Priority",
        "enumeration",
        "select",
        _opts("NONE", "None", "LOW", "Low", "MEDIUM", "Medium", "HIGH", "High"),
    ),
    "hs_task_type": (
        "Task Type",
        "enumeration",
        "select",
        _opts("CALL", "Call", "EMAIL", "Email", "TODO", "To-do"),
    ),
    "hs_email_subject": ("Email subject", "string", "text", None),
    "hs_email_direction": (
        "Email direction",
        "enumeration",
        "select",
        _opts("EMAIL", "Sent", "INCOMING_EMAIL", "Received", "FORWARDED_EMAIL", "Forwarded"),
    ),
    "hs_communication_channel_type": (
        "Channel type",
        "enumeration",
        "select",
        _opts("SMS", "SMS", "WHATS_APP", "WhatsApp", "LINKEDIN_MESSAGE", "LinkedIn"),
    ),
    "hs_communication_body": ("Communication body", "string", "html", None),
    "hs_postal_mail_body": ("Postal mail body", "string", "html", None),
    "name": ("Name", "string", "text", None),
    "price": ("Unit price", "number", "number", None),
    "description": ("Description", "string", "textarea", None),
    "hs_sku": ("SKU", "string", "text", None),
    "quantity": ("Quantity", "number", "number", None),
    "amount": ("Net price", "number", "number", None),
    "hs_product_id": ("Product ID", "number", "number", None),
    "hs_title": ("Quote name", "string", "text", None),
    "hs_expiration_date": ("Expiration date", "datetime", "date", None),
    "hs_status": (
        "Quote approval status",
        "enumeration",
        "select",
        _opts("DRAFT", "Draft", "APPROVED", "Approved"),
    ),
    "hs_lead_name": ("Lead name", "string", "text", None),
    "hs_pipeline_stage": (
        "Lead stage",
        "enumeration",
        "select",
        _opts("new-stage-id", "New", "attempting-stage-id", "Attempting", "connected-stage-id", "Connected"),
    ),
    "hs_goal_name": ("Goal name", "string", "text", None),
    "hs_target_amount": ("Target amount", "number", "number", None),
    "hs_survey_name": ("Survey name", "string", "text", None),
    "hs_response_group": (
        "Response group",
        "enumeration",
        "select",
        _opts("PROMOTER", "Promoter", "PASSIVE", "Passive", "DETRACTOR", "Detractor"),
    ),
    "hs_split_percentage": ("Split percentage", "number", "number", None),
}
_EXTRA = {
    "calls": ["hs_call_duration", "hs_call_direction", "hs_call_status"],
    "meetings": ["hs_meeting_start_time", "hs_meeting_end_time", "hs_meeting_outcome"],
    "tasks": ["hs_task_body", "hs_task_priority", "hs_task_type"],
    "products": ["hs_sku"],
    "line_items": ["hs_product_id"],
}


def standard_type_properties(object_type: str) -> list[PropertySpec]:
    """HubSpot's default properties for one of these types (the common four first)."""
    group = GROUPS[object_type][0][0]
    specs = [
        PropertySpec(
            "hs_object_id",
            "Record ID",
            "number",
            "number",
            group,
            unique=True,
            read_only=True,
            description="The unique ID for this record. This value is set automatically by HubSpot.",
        ),
        PropertySpec("createdate", "Create Date", "datetime", "date", group, read_only=True),
        PropertySpec("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", group, read_only=True),
        PropertySpec("hubspot_owner_id", "Owner", "enumeration", "select", group, options=_owner_options()),
    ]
    for name in DEFAULT_PROPERTIES[object_type] + _EXTRA.get(object_type, []):
        label, type_, field_type, options = _KINDS[name]
        specs.append(
            PropertySpec(
                name,
                label,
                type_,
                field_type,
                group,
                options=options or [],
                description=f"The {label.lower()} of the {ALL_SINGULAR[object_type]}.",
            )
        )
    return specs


# (from, to) -> (type id, None, name): HubSpot's association type ids (no primary label).
ASSOCIATION_TYPES = {
    ("contacts", "calls"): (193, None, "contact_to_call"),
    ("calls", "contacts"): (194, None, "call_to_contact"),
    ("contacts", "meetings"): (199, None, "contact_to_meeting"),
    ("meetings", "contacts"): (200, None, "meeting_to_contact"),
    ("contacts", "notes"): (201, None, "contact_to_note"),
    ("notes", "contacts"): (202, None, "note_to_contact"),
    ("contacts", "tasks"): (203, None, "contact_to_task"),
    ("tasks", "contacts"): (204, None, "task_to_contact"),
    ("deals", "calls"): (205, None, "deal_to_call"),
    ("calls", "deals"): (206, None, "call_to_deal"),
    ("deals", "meetings"): (211, None, "deal_to_meeting"),
    ("meetings", "deals"): (212, None, "meeting_to_deal"),
    ("deals", "notes"): (213, None, "deal_to_note"),
    ("notes", "deals"): (214, None, "note_to_deal"),
    ("deals", "tasks"): (215, None, "deal_to_task"),
    ("tasks", "deals"): (216, None, "task_to_deal"),
    ("deals", "line_items"): (19, None, "deal_to_line_item"),
    ("line_items", "deals"): (20, None, "line_item_to_deal"),
}
ID_BASE = {t: 30_000_000_001 + n * 1_000_000_000 for n, t in enumerate(STANDARD_TYPES)}
ENGAGEMENTS = ("calls", "notes", "meetings", "tasks")
PRODUCTS = [
    ("Starter plan", "49.00"),
    ("Professional plan", "890.00"),
    ("Enterprise plan", "3600.00"),
    ("Onboarding", "1500.00"),
    ("Extra seats (10)", "250.00"),
    ("Premium support", "1200.00"),
    ("Data migration", "2000.00"),
    ("Training day", "950.00"),
]
_SUBJECTS = [
    "Intro call",
    "Pricing follow-up",
    "Renewal check-in",
    "Demo recap",
    "Contract questions",
    "Kick-off",
    "Quarterly review",
    "Onboarding plan",
    "Technical deep dive",
    "Budget sign-off",
]
_SALT = {t: 40 + n for n, t in enumerate(STANDARD_TYPES)}


class StandardTypes:
    """The generated records of the extra types: ``(object_type, ids, columns, specs, created, modified)``
    per type, and their association edges ``(from, to) -> (src indices, dst indices)``."""

    def __init__(self) -> None:
        self.stores: dict[
            str, tuple[array[int], dict[str, Column], list[PropertySpec], array[int], array[int]]
        ] = {}
        self.edges: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}


def build_standard_types(seed: int, n_contacts: int, n_deals: int) -> StandardTypes:
    """Records for every extra type: engagements ≈ one per two contacts and deals, each on a contact and
    (most) on a deal; eight products; one to three line items on most deals; the other types empty."""
    out = StandardTypes()
    for t in STANDARD_TYPES:
        if t in ENGAGEMENTS:
            n = (n_contacts + n_deals) // (2 if t in ("calls", "notes") else 4)
        elif t == "products":
            n = len(PRODUCTS)
        elif t == "line_items":
            n = n_deals * 2
        else:
            n = 0
        draw = Draw(seed, _SALT[t], n)
        gaps = draw.rng.integers(1, 4, size=n)
        ids = to_array(ID_BASE[t] + np.cumsum(gaps) - (gaps[0] if n else 0))
        created, modified = timeline(draw)
        columns: dict[str, Column] = {
            "hs_object_id": _id_column(ids),
            "createdate": MsColumn(created),
            "hs_lastmodifieddate": MsColumn(modified),
            "hubspot_owner_id": owner_column(draw),
        }
        columns.update(_columns(t, draw, created, n, out))
        if t in ENGAGEMENTS and n:
            out.edges[t, "contacts"] = (np.arange(n), (n_contacts * draw.rng.random(n)).astype(np.int64))
            on_deal = np.flatnonzero(draw.rng.random(n) < 0.6) if n_deals else np.zeros(0, np.int64)
            out.edges[t, "deals"] = (on_deal, (n_deals * draw.rng.random(len(on_deal))).astype(np.int64))
        if t == "line_items" and n and n_deals:
            out.edges[t, "deals"] = (np.arange(n), np.sort((n_deals * draw.rng.random(n)).astype(np.int64)))
        out.stores[t] = (ids, columns, standard_type_properties(t), created, modified)
    return out


def _columns(t: str, draw: Draw, created: array[int], n: int, out: StandardTypes) -> dict[str, Column]:
    seed = draw.seed * 7919 + draw.salt

    def pick(options: list[str], salt: int) -> LazyColumn:
        return LazyColumn(lambda i: options[mix(seed + i * 31 + salt) % len(options)])

    def subject(salt: int) -> LazyColumn:
        return LazyColumn(lambda i: f"{_SUBJECTS[mix(seed + i * 17 + salt) % len(_SUBJECTS)]} #{i + 1}")

    def options(name: str) -> list[str]:
        return [v for v, _ in (_KINDS[name][3] or [])]

    stamp = MsColumn(created)
    if t == "calls":
        return {
            "hs_timestamp": stamp,
            "hs_call_title": subject(1),
            "hs_call_body": LazyColumn(
                lambda i: f"<p>Spoke about next steps ({i % 9 + 1} action items).</p>"
            ),
            "hs_call_duration": NumberColumn(to_array(draw.rng.integers(30_000, 3_600_000, size=n))),
            "hs_call_direction": pick(options("hs_call_direction"), 2),
            "hs_call_status": pick(options("hs_call_status"), 3),
        }
    if t == "notes":
        return {
            "hs_timestamp": stamp,
            "hs_note_body": LazyColumn(
                lambda i: f"<p>{_SUBJECTS[mix(seed + i) % len(_SUBJECTS)]}: notes.</p>"
            ),
        }
    if t == "meetings":
        length = array("q", [1_800_000 * (1 + mix(seed + i) % 4) for i in range(n)])
        end = array("q", [created[i] + length[i] for i in range(n)])
        return {
            "hs_timestamp": stamp,
            "hs_meeting_title": subject(4),
            "hs_meeting_body": LazyColumn(lambda i: "<p>Agenda: goals, timeline, owners.</p>"),
            "hs_meeting_start_time": stamp,
            "hs_meeting_end_time": MsColumn(end),
            "hs_meeting_outcome": pick(options("hs_meeting_outcome"), 5),
        }
    if t == "tasks":
        return {
            "hs_timestamp": stamp,
            "hs_task_subject": subject(6),
            "hs_task_body": LazyColumn(lambda i: "Prepare the proposal and send it over."),
            "hs_task_status": pick(options("hs_task_status"), 7),
            "hs_task_priority": pick(options("hs_task_priority"), 8),
            "hs_task_type": pick(options("hs_task_type"), 9),
        }
    if t == "products":
        return {
            "name": LazyColumn(lambda i: PRODUCTS[i][0]),
            "price": LazyColumn(lambda i: PRODUCTS[i][1]),
            "description": LazyColumn(lambda i: f"{PRODUCTS[i][0]}, billed per unit."),
            "hs_sku": LazyColumn(lambda i: f"SKU-{1000 + i}"),
        }
    if t == "line_items":
        product_ids = out.stores["products"][0]
        which = [mix(seed + i * 13) % len(PRODUCTS) for i in range(n)]
        qty = [1 + mix(seed + i * 29) % 5 for i in range(n)]
        return {
            "name": LazyColumn(lambda i: PRODUCTS[which[i]][0]),
            "quantity": LazyColumn(lambda i: str(qty[i])),
            "price": LazyColumn(lambda i: PRODUCTS[which[i]][1]),
            "amount": LazyColumn(lambda i: f"{qty[i] * float(PRODUCTS[which[i]][1]):.2f}"),
            "hs_product_id": LazyColumn(lambda i: str(product_ids[which[i]])),
        }
    return {name: LazyColumn(_unset) for name in DEFAULT_PROPERTIES[t]}


def _id_column(ids: array[int]) -> LazyColumn:
    return LazyColumn(lambda i: str(ids[i]))


def _unset(i: int) -> str | None:
    return None


def engagement_json(
    object_type: str, props: dict[str, Any], record_id: str, portal_id: int, created_ms: int, modified_ms: int
) -> dict[str, Any]:
    """The ``engagement`` member of a legacy engagements v1 object."""
    kind = {"calls": "CALL", "notes": "NOTE", "meetings": "MEETING", "tasks": "TASK"}[object_type]
    owner = props.get("hubspot_owner_id")
    return {
        "id": int(record_id),
        "portalId": portal_id,
        "active": True,
        "createdAt": created_ms,
        "lastUpdated": modified_ms,
        "ownerId": int(owner) if owner else None,
        "type": kind,
        "timestamp": created_ms,
    }
