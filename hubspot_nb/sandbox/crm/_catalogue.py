"""The sandbox's CRM schema: property definitions, property groups, deal/ticket pipelines, owners.

Standard properties follow HubSpot's names, types and option values; on top of them each object type
gets ``config.custom_properties`` custom properties cycling through every (type, fieldType) pair
HubSpot has, so clients meet every kind of value. ``PropertySpec.to_json`` renders HubSpot's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..timestamps import iso_ms

# HubSpot's object type ids (https://developers.hubspot.com, "object type ids").
OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal", "tickets": "ticket"}
CATALOGUE_CREATED_MS = 1_577_836_800_000  # 2020-01-01: when the portal's schema "was made"

Options = list[tuple[str, str]]  # (value, label)
Stage = tuple[str, str, str | None, bool]  # (stage id, label, deal probability or None, closed)
Pipeline = tuple[str, str, list[Stage]]  # (pipeline id, label, stages)


@dataclass
class PropertySpec:
    name: str
    label: str
    type: str  # string, number, date, datetime, enumeration, bool, phone_number
    field_type: str  # text, textarea, number, date, select, radio, checkbox, booleancheckbox, phonenumber
    group: str
    description: str = ""
    options: Options = field(default_factory=list)
    hubspot_defined: bool = True
    calculated: bool = False
    unique: bool = False
    read_only: bool = False
    archived: bool = False

    def to_json(self, display_order: int) -> dict[str, Any]:
        made = iso_ms(CATALOGUE_CREATED_MS + display_order * 60_000)
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": [
                {"label": label, "value": value, "displayOrder": n, "hidden": False}
                for n, (value, label) in enumerate(self.options)
            ],
            "displayOrder": display_order if not self.hubspot_defined else -1,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "calculated": self.calculated,
            "externalOptions": False,
            "formField": not (self.read_only or self.calculated),
            "hasUniqueValue": self.unique,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only or self.calculated,
            },
            "createdAt": made,
            "updatedAt": made,
            "archived": self.archived,
        }
        if self.archived:
            body["archivedAt"] = iso_ms(CATALOGUE_CREATED_MS + 400 * 86_400_000)
        if not self.hubspot_defined:
            body["createdUserId"] = "1001"
            body["updatedUserId"] = "1001"
        return body


def _opts(*pairs: str) -> Options:
    """``_opts("lead", "Lead", "customer", "Customer")`` → [(value, label), …]."""
    return list(zip(pairs[::2], pairs[1::2], strict=True))


def _codes(*values: str) -> Options:
    """Options whose label is the value made readable: ``OPEN_DEAL`` → ``Open deal``."""
    return [(v, v.replace("_", " ").capitalize()) for v in values]


BOOL_OPTIONS = _opts("true", "Yes", "false", "No")
LIFECYCLE = _opts(
    "subscriber", "Subscriber", "lead", "Lead", "marketingqualifiedlead", "Marketing Qualified Lead",
    "salesqualifiedlead", "Sales Qualified Lead", "opportunity", "Opportunity", "customer", "Customer",
    "evangelist", "Evangelist", "other", "Other",
)  # fmt: skip
LEAD_STATUS = _codes(
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
INDUSTRIES = _codes(
    "COMPUTER_SOFTWARE", "INFORMATION_TECHNOLOGY_AND_SERVICES", "MARKETING_AND_ADVERTISING",
    "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "EDUCATION_MANAGEMENT", "CONSTRUCTION",
    "LOGISTICS_AND_SUPPLY_CHAIN", "REAL_ESTATE", "MANAGEMENT_CONSULTING", "TELECOMMUNICATIONS",
)  # fmt: skip
COMPANY_TYPES = _codes("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")
DEAL_TYPES = _opts("newbusiness", "New Business", "existingbusiness", "Existing Business")
TICKET_PRIORITY = _codes("LOW", "MEDIUM", "HIGH", "URGENT")
TICKET_CATEGORY = _codes("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY")
TICKET_SOURCE = _codes("EMAIL", "CHAT", "PHONE", "FORM")
ANALYTICS_SOURCE = _codes(
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
)

# Deal pipelines: (id, label, [(stage id, label, probability, closed)]).
DEAL_PIPELINES: list[Pipeline] = [
    ("default", "Sales Pipeline", [
        ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
        ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
        ("presentationscheduled", "Presentation Scheduled", "0.6", False),
        ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
        ("contractsent", "Contract Sent", "0.9", False),
        ("closedwon", "Closed Won", "1.0", True),
        ("closedlost", "Closed Lost", "0.0", True),
    ]),
    ("75e28846-ad0d-4be2-a027-5e1da6590b98", "Renewals", [
        ("1467822", "Renewal Due", "0.5", False),
        ("1467823", "Renewal Negotiation", "0.7", False),
        ("1467824", "Renewed", "1.0", True),
        ("1467825", "Churned", "0.0", True),
    ]),
]  # fmt: skip
TICKET_PIPELINES: list[Pipeline] = [
    ("0", "Support Pipeline", [
        ("1", "New", None, False), ("2", "Waiting on contact", None, False),
        ("3", "Waiting on us", None, False), ("4", "Closed", None, True),
    ]),
]  # fmt: skip
PIPELINES: dict[str, list[Pipeline]] = {"deals": DEAL_PIPELINES, "tickets": TICKET_PIPELINES}

OWNER_NAMES = [
    ("Avery", "Nakamura"), ("Jordan", "Okafor"), ("Priya", "Raman"), ("Lucas", "Moreau"),
    ("Sofia", "Lindqvist"), ("Mateo", "Alvarez"), ("Hannah", "Becker"), ("Kwame", "Mensah"),
    ("Emily", "Chen"), ("Daniel", "Kowalski"), ("Zara", "Haddad"), ("Oliver", "Wright"),
]  # fmt: skip
OWNER_IDS = [str(31_400_000 + 173 * n) for n in range(len(OWNER_NAMES))]
TEAMS = [("4512", "Inbound Sales"), ("4513", "Enterprise"), ("4514", "Customer Success")]


def owner_records(hub_domain: str = "sandbox.example.com") -> list[dict[str, Any]]:
    """HubSpot's owner objects (``GET /crm/v3/owners``), the last one archived like a departed rep."""
    owners = []
    for n, (first, last) in enumerate(OWNER_NAMES):
        team_id, team_name = TEAMS[n % len(TEAMS)]
        made = iso_ms(CATALOGUE_CREATED_MS + n * 86_400_000 * 11)
        owners.append({
            "id": OWNER_IDS[n],
            "email": f"{first.lower()}.{last.lower()}@{hub_domain}",
            "type": "PERSON",
            "firstName": first,
            "lastName": last,
            "userId": 7_100_000 + n,
            "userIdIncludingInactive": 7_100_000 + n,
            "createdAt": made,
            "updatedAt": made,
            "archived": n == len(OWNER_NAMES) - 1,
            "teams": [{"id": team_id, "name": team_name, "primary": True}],
        })  # fmt: skip
    return owners


def _owner_options() -> Options:
    return [(oid, f"{f} {ln}") for oid, (f, ln) in zip(OWNER_IDS, OWNER_NAMES, strict=True)]


def _stage_options(object_type: str) -> Options:
    return [(sid, label) for _, _, stages in PIPELINES[object_type] for sid, label, _, _ in stages]


def _pipeline_options(object_type: str) -> Options:
    return [(pid, label) for pid, label, _ in PIPELINES[object_type]]


def _p(name: str, label: str, type_: str, field_type: str, group: str, **kw: Any) -> PropertySpec:
    desc = kw.pop("description", f"The {label.lower()} of the record.")
    return PropertySpec(name, label, type_, field_type, group, description=desc, **kw)


def _common(info: str, modified_name: str) -> list[PropertySpec]:
    """Properties every object type has."""
    return [
        _p("hs_object_id", "Record ID", "number", "number", info, read_only=True,
           description="The unique ID for this record. This value is set automatically by HubSpot.",
           unique=True),
        _p("createdate", "Create Date", "datetime", "date", info, read_only=True),
        _p(modified_name, "Last Modified Date", "datetime", "date", info, read_only=True),
        _p("hubspot_owner_id", "Owner", "enumeration", "select", info, options=_owner_options()),
    ]  # fmt: skip


def standard_properties(object_type: str) -> list[PropertySpec]:
    if object_type == "contacts":
        g = "contactinformation"
        return [
            *_common(g, "lastmodifieddate"),
            _p("email", "Email", "string", "text", g, unique=True),
            _p("firstname", "First Name", "string", "text", g),
            _p("lastname", "Last Name", "string", "text", g),
            _p("phone", "Phone Number", "string", "phonenumber", g),
            _p("mobilephone", "Mobile Phone Number", "string", "phonenumber", g),
            _p("company", "Company Name", "string", "text", g),
            _p("jobtitle", "Job Title", "string", "text", g),
            _p("website", "Website URL", "string", "text", g),
            _p("city", "City", "string", "text", g),
            _p("state", "State/Region", "string", "text", g),
            _p("country", "Country/Region", "string", "text", g),
            _p("zip", "Postal Code", "string", "text", g),
            _p("date_of_birth", "Date of birth", "date", "date", g),
            _p("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", g, options=LIFECYCLE),
            _p("hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties",
               options=LEAD_STATUS),
            _p("hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox",
               "emailinformation", options=BOOL_OPTIONS),
            _p("hs_analytics_source", "Original Source", "enumeration", "select", "analyticsinformation",
               options=ANALYTICS_SOURCE, read_only=True),
            _p("hs_analytics_num_page_views", "Number of Pageviews", "number", "number",
               "analyticsinformation", read_only=True),
            _p("notes_last_updated", "Last Activity Date", "datetime", "date", "sales_properties",
               read_only=True),
            _p("num_associated_deals", "Number of Associated Deals", "number", "number", "deal_information",
               calculated=True),
        ]  # fmt: skip
    if object_type == "companies":
        g = "companyinformation"
        return [
            *_common(g, "hs_lastmodifieddate"),
            _p("name", "Company name", "string", "text", g),
            _p("domain", "Company Domain Name", "string", "text", g),
            _p("website", "Website URL", "string", "text", g),
            _p("industry", "Industry", "enumeration", "select", g, options=INDUSTRIES),
            _p("type", "Type", "enumeration", "select", g, options=COMPANY_TYPES),
            _p("numberofemployees", "Number of Employees", "number", "number", g),
            _p("annualrevenue", "Annual Revenue", "number", "number", g),
            _p("phone", "Phone Number", "string", "phonenumber", g),
            _p("city", "City", "string", "text", g),
            _p("state", "State/Region", "string", "text", g),
            _p("country", "Country/Region", "string", "text", g),
            _p("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", g, options=LIFECYCLE),
            _p("founded_year", "Year Founded", "string", "text", g),
            _p("is_public", "Is Public", "bool", "booleancheckbox", g, options=BOOL_OPTIONS),
            _p("num_associated_contacts", "Number of Associated Contacts", "number", "number", g,
               calculated=True),
            _p("num_associated_deals", "Number of Associated Deals", "number", "number", g, calculated=True),
        ]  # fmt: skip
    if object_type == "deals":
        g = "dealinformation"
        return [
            *_common(g, "hs_lastmodifieddate"),
            _p("dealname", "Deal Name", "string", "text", g),
            _p("amount", "Amount", "number", "number", g),
            _p("dealstage", "Deal Stage", "enumeration", "radio", g, options=_stage_options("deals")),
            _p("pipeline", "Pipeline", "enumeration", "select", g, options=_pipeline_options("deals")),
            _p("closedate", "Close Date", "datetime", "date", g),
            _p("dealtype", "Deal Type", "enumeration", "radio", g, options=DEAL_TYPES),
            _p("description", "Deal Description", "string", "textarea", g),
            _p("hs_priority", "Priority", "enumeration", "select", g,
               options=_codes("low", "medium", "high")),
            _p("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", g, options=BOOL_OPTIONS,
               calculated=True),
            _p("num_associated_contacts", "Number of Associated Contacts", "number", "number", g,
               calculated=True),
        ]  # fmt: skip
    if object_type == "tickets":
        g = "ticketinformation"
        return [
            *_common(g, "hs_lastmodifieddate"),
            _p("subject", "Ticket name", "string", "text", g),
            _p("content", "Ticket description", "string", "textarea", g),
            _p("hs_pipeline", "Pipeline", "enumeration", "select", g, options=_pipeline_options("tickets")),
            _p("hs_pipeline_stage", "Ticket status", "enumeration", "radio", g,
               options=_stage_options("tickets")),
            _p("hs_ticket_priority", "Priority", "enumeration", "select", g, options=TICKET_PRIORITY),
            _p("hs_ticket_category", "Category", "enumeration", "checkbox", g, options=TICKET_CATEGORY),
            _p("source_type", "Source", "enumeration", "select", g, options=TICKET_SOURCE),
            _p("closed_date", "Close date", "datetime", "date", g),
        ]  # fmt: skip
    raise KeyError(object_type)


# Custom properties cycle through every (type, fieldType) pair HubSpot has.
CUSTOM_KINDS = [
    ("string", "text"), ("number", "number"), ("enumeration", "select"), ("date", "date"),
    ("datetime", "date"), ("bool", "booleancheckbox"), ("enumeration", "checkbox"),
    ("string", "textarea"), ("enumeration", "radio"), ("phone_number", "phonenumber"),
]  # fmt: skip
_TOPICS = [
    "account_tier", "region", "nps", "churn_risk", "onboarding", "renewal", "segment", "persona",
    "contract", "product_interest", "support_plan", "billing", "referral", "webinar", "trial",
    "partner", "budget", "territory", "health", "expansion", "training", "survey", "loyalty",
    "campaign", "event", "integration", "usage", "license", "compliance", "procurement", "language",
    "timezone",
]  # fmt: skip
_KIND_SUFFIX = {
    ("string", "text"): "note", ("number", "number"): "score", ("enumeration", "select"): "level",
    ("date", "date"): "date", ("datetime", "date"): "at", ("bool", "booleancheckbox"): "flag",
    ("enumeration", "checkbox"): "tags", ("string", "textarea"): "details",
    ("enumeration", "radio"): "choice", ("phone_number", "phonenumber"): "phone",
}  # fmt: skip
_OPTION_WORDS = ["alpha", "bronze", "silver", "gold", "platinum", "north", "south", "east", "west", "core"]
CUSTOM_GROUPS = [("custom_profile", "Custom profile"), ("custom_scoring", "Custom scoring"),
                 ("custom_operations", "Custom operations")]  # fmt: skip


def custom_properties(object_type: str, count: int) -> list[PropertySpec]:
    """``count`` custom properties (plus two archived ones), deterministic for the object type."""
    specs = []
    for k in range(count + 2):
        type_, field_type = CUSTOM_KINDS[k % len(CUSTOM_KINDS)]
        topic = _TOPICS[(k // len(CUSTOM_KINDS)) % len(_TOPICS)]
        round_ = k // (len(CUSTOM_KINDS) * len(_TOPICS))
        name = f"{topic}_{_KIND_SUFFIX[type_, field_type]}" + (f"_{round_ + 1}" if round_ else "")
        label = name.replace("_", " ").capitalize()
        options: Options = []
        if type_ == "enumeration":
            n = 3 + k % 6
            options = [(f"{_OPTION_WORDS[j]}_{k}", f"{_OPTION_WORDS[j].capitalize()} {k}") for j in range(n)]
        elif type_ == "bool":
            options = BOOL_OPTIONS
        group = CUSTOM_GROUPS[k % len(CUSTOM_GROUPS)][0]
        desc = f"Custom {SINGULAR[object_type]} property: {label.lower()}."
        specs.append(PropertySpec(name, label, type_, field_type, group, desc, options,
                                  hubspot_defined=False, archived=k >= count))  # fmt: skip
    return specs


STANDARD_GROUPS = {
    "contacts": [("contactinformation", "Contact information"), ("emailinformation", "Email information"),
                 ("sales_properties", "Sales properties"), ("analyticsinformation", "Web analytics history"),
                 ("deal_information", "Deal information")],
    "companies": [("companyinformation", "Company information")],
    "deals": [("dealinformation", "Deal information")],
    "tickets": [("ticketinformation", "Ticket information")],
}  # fmt: skip


def property_groups(object_type: str) -> list[dict[str, Any]]:
    groups = STANDARD_GROUPS[object_type] + CUSTOM_GROUPS
    return [{"name": n, "label": label, "displayOrder": i, "archived": False}
            for i, (n, label) in enumerate(groups)]  # fmt: skip


def pipeline_records(object_type: str) -> list[dict[str, Any]]:
    """HubSpot's pipeline objects (``GET /crm/v3/pipelines/{objectType}``)."""
    made = iso_ms(CATALOGUE_CREATED_MS)
    out = []
    for order, (pid, label, stages) in enumerate(PIPELINES[object_type]):
        out.append({
            "id": pid, "label": label, "displayOrder": order, "createdAt": made, "updatedAt": made,
            "archived": False,
            "stages": [
                {"id": sid, "label": slabel, "displayOrder": n, "createdAt": made, "updatedAt": made,
                 "archived": False, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                 "metadata": ({"isClosed": str(closed).lower(), "probability": prob} if prob is not None
                              else {"ticketState": "CLOSED" if closed else "OPEN"})}
                for n, (sid, slabel, prob, closed) in enumerate(stages)
            ],
        })  # fmt: skip
    return out
