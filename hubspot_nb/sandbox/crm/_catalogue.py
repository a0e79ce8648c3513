"""The sandbox's CRM schema: property definitions, property groups, deal/ticket pipelines, owners.

HubSpot-defined properties are HubSpot's own catalogue, loaded from ``hubspot_properties.tsv`` (shipped
with the package; one row per property with its name, type, fieldType, group, label, options and the
source it was taken from): ~360 contact, ~200 company and deal and ~180 ticket properties. On top of
them each object type gets ``config.custom_properties`` custom properties named like a real portal's
custom fields, cycling through every (type, fieldType) pair. ``PropertySpec.to_json`` renders
HubSpot's shape.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
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
    type: str  # string, number, date, datetime, enumeration, bool, phone_number, object_coordinates
    field_type: str  # text, textarea, number, date, select, radio, checkbox, booleancheckbox, phonenumber,
    # html, file and HubSpot's calculated ones: calculation_equation/_rollup/_score/_read_time
    group: str
    description: str = ""
    options: Options = field(default_factory=list)
    hubspot_defined: bool = True
    calculated: bool = False
    unique: bool = False
    read_only: bool = False
    archived: bool = False
    external_options: bool = False  # options come from other records (owners, teams, users …)

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
            "externalOptions": self.external_options,
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
    "OTHER_CAMPAIGNS",
    "PAID_SOCIAL",
)

# Deal pipelines: (id, label, [(stage id, label, probability, closed)]).
DEAL_PIPELINES: list[Pipeline] = [
    ("default", "Sales Pipeline", [
        ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
        ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
        ("presentationscheduled", "Presentation Scheduled", "0.6", False),
        ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
        ("contractsent", "Contract Sent", "0.9", False),
        ("closedwon", "Closed Won", "1.0", True), ("closedlost", "Closed Lost", "0.0", True),
    ]),
    ("75e28846-ad0d-4be2-a027-5e1da6590b98", "Renewals", [
        ("1467822", "Renewal Due", "0.5", False), ("1467823", "Renewal Negotiation", "0.7", False),
        ("1467824", "Renewed", "1.0", True), ("1467825", "Churned", "0.0", True),
    ]),
    # HubSpot's commerce pipeline (payments/checkout): the stages the catalogue's
    # hs_v2_date_entered_checkout_pending … properties are about.
    ("3afc9e4a-6d0e-4f0b-9b1d-5c5a8f0f3c11", "Ecommerce Pipeline", [
        ("checkout_abandoned", "Checkout Abandoned", "0.1", False),
        ("checkout_pending", "Checkout Pending", "0.5", False),
        ("checkout_completed", "Checkout Completed", "0.9", False),
        ("processed", "Processed", "1.0", True), ("shipped", "Shipped", "1.0", True),
        ("cancelled", "Cancelled", "0.0", True),
    ]),
]  # fmt: skip
WON_STAGES = {"closedwon", "1467824", "processed", "shipped"}
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


def readable(value: str) -> str:
    """An option label made from its value: ``OPEN_DEAL`` → ``Open deal``, ``tier_1`` → ``Tier 1``."""
    return value.replace("_", " ").capitalize()


CATALOGUE_FILE = "hubspot_properties.tsv"
# Option labels HubSpot gives where the catalogue lists only values.
OPTION_LABELS: dict[str, dict[str, str]] = {
    "lifecyclestage": dict(LIFECYCLE),
    "dealtype": dict(DEAL_TYPES),
    "hs_analytics_source": {v: readable(v) for v, _ in ANALYTICS_SOURCE},
}
CURRENCIES = _opts("USD", "US Dollar", "EUR", "Euro", "GBP", "British Pound", "CAD", "Canadian Dollar")
USER_IDS = [str(7_100_000 + n) for n in range(len(OWNER_NAMES))]  # the owners' user ids
BUSINESS_UNITS = _opts("0", "Sandbox Portal")


def _dynamic_options(object_type: str, name: str) -> tuple[Options, bool] | None:
    """Options of enumerations whose values are other records' ids (owners, teams, users, stages):
    (options, external?). HubSpot lists them from the portal, so the catalogue has none."""
    if name in ("hubspot_owner_id", "hs_all_owner_ids", "hs_all_collaborator_owner_ids",
                "hs_all_deal_split_owner_ids"):  # fmt: skip
        return _owner_options(), True
    if name in ("hubspot_team_id", "hs_all_team_ids", "hs_all_accessible_team_ids", "hs_owning_teams",
                "hs_shared_team_ids", "hs_attributed_team_ids", "hs_assigned_team_ids"):  # fmt: skip
        return list(TEAMS), True
    if name.startswith("hs_user_ids_of_all_") or name == "hs_shared_user_ids":
        return [(u, f"{f} {ln}") for u, (f, ln) in zip(USER_IDS, OWNER_NAMES, strict=True)], True
    if name == "hs_all_assigned_business_unit_ids":
        return BUSINESS_UNITS, True
    if name in ("deal_currency_code", "hs_deal_registration_mrr_currency_code"):
        return CURRENCIES, False
    if object_type in PIPELINES and name in ("pipeline", "hs_pipeline"):
        return _pipeline_options(object_type), False
    if object_type in PIPELINES and name in ("dealstage", "hs_pipeline_stage"):
        return _stage_options(object_type), False
    return None


# Where the catalogue has no groupName (about half its rows), these groups are OURS: a prefix rule
# that puts each property in the HubSpot group its siblings are in (first match wins).
_GROUP_RULES: dict[str, list[tuple[str, str]]] = {
    "contacts": [
        (r"hs_email_|hs_emailconfirmation|hs_marketable|hs_quarantined|hs_content_membership_email",
         "emailinformation"),
        (r"hs_analytics_|hs_latest_source|hs_social_|ip_|hs_ip_|hs_facebook_|hs_google_click|hs_linkedin_ad",
         "analyticsinformation"),
        (r"first_conversion|recent_conversion|num_conversion|num_unique_conversion|hs_calculated_form",
         "conversioninformation"),
        (r"hs_lifecyclestage_|hs_v2_|hs_time_|hs_lead_status|notes_|num_|hs_sales_email|hs_sequences|"
         r"hs_latest_sequence|hubspot_owner|hubspot_team|hs_last_sales|engagements_|hs_first_engagement|"
         r"hs_sa_|hs_first_outreach|hs_latest_meeting|hs_pipeline|hs_latest_.*_lead_date|hs_is_unworked|"
         r"hs_count_is_", "sales_properties"),
    ],
    "companies": [
        (r"hs_analytics_", "analyticsinformation"),
        (r"first_conversion|recent_conversion|num_conversion", "conversioninformation"),
        (r"notes_|num_contacted|num_notes|hs_last_|hs_latest_meeting|engagements_|hs_notes_",
         "company_activity"),
    ],
    "deals": [
        (r"notes_|num_contacted|num_notes|hs_latest_.*email|hs_last_|hs_latest_meeting|engagements_|"
         r"hs_next_meeting|hs_notes_|hs_number_of_|hs_average_call|hs_sales_email", "deal_activity"),
        (r"hs_analytics_", "analyticsinformation"),
    ],
    "tickets": [],
}  # fmt: skip
_DEFAULT_GROUP = {"contacts": "contactinformation", "companies": "companyinformation",
                  "deals": "dealinformation", "tickets": "ticketinformation"}  # fmt: skip
GROUP_LABELS = {
    "contactinformation": "Contact information", "emailinformation": "Email information",
    "analyticsinformation": "Web analytics history", "conversioninformation": "Conversion information",
    "sales_properties": "Sales properties", "socialmediainformation": "Social media information",
    "companyinformation": "Company information", "company_activity": "Company activity",
    "dealinformation": "Deal information", "deal_activity": "Deal activity",
    "ticketinformation": "Ticket information",
}  # fmt: skip


def _group(object_type: str, name: str) -> str:
    for pattern, group in _GROUP_RULES[object_type]:
        if re.match(pattern, name):
            return group
    return _DEFAULT_GROUP[object_type]


# readOnlyValue: HubSpot computes these values itself (API writes are refused), so they are not
# form fields. The rule: every calculation_* fieldType, plus the families HubSpot fills in from
# tracking, e-mail, forms, associations and the record's own life cycle.
_READ_ONLY = re.compile(
    r"^(hs_object_id|createdate|hs_createdate|lastmodifieddate|hs_lastmodifieddate|hs_analytics_.*|"
    r"hs_latest_source.*|hs_email_(?!optout$).*|first_conversion_.*|recent_conversion_.*|num_.*|"
    r"hs_v2_.*|hs_time_.*|hs_date_entered_.*|hs_date_exited_.*|hs_lifecyclestage_.*_date|notes_.*|"
    r"hs_all_.*|hs_user_ids_of_all_.*|hs_calculated_.*|hs_searchable_calculated_.*|hs_created_by_user_id|"
    r"hs_updated_by_user_id|hs_object_source.*|hs_merged_object_ids|days_to_close|hs_is_closed.*|"
    r"hs_closed_.*|ip_.*|hs_ip_timezone|hs_sales_email_.*|hs_social_.*|associatedcompanylastupdated|"
    r"hs_was_imported|hs_read_only|hs_unique_creation_key|hs_first_engagement_.*|hs_sa_first_.*|"
    r"hs_last_sales_activity_.*|hs_latest_meeting_activity|engagements_last_.*|hs_notes_.*|"
    r"recent_deal_.*|first_deal_created_date|total_revenue|hs_deal_stage_probability|"
    r"hubspot_owner_assigneddate|owneremail|ownername|hs_email_domain|hs_pipeline_stage_.*|"
    r"hs_predictive.*|hubspotscore)$"
)


def _spec(row: dict[str, str]) -> PropertySpec:
    object_type, name = row["object"], row["name"]
    options: Options = []
    external = False
    dynamic = _dynamic_options(object_type, name) if row["type"] == "enumeration" else None
    if dynamic is not None:
        options, external = dynamic
    elif row["options"]:
        labels = OPTION_LABELS.get(name, {})
        options = [(v, labels.get(v, readable(v))) for v in row["options"].split(";")]
    if row["type"] == "bool" and not options:
        options = BOOL_OPTIONS
    calculated = row["fieldType"].startswith("calculation_")
    label = row["label"] or readable(name)
    return PropertySpec(
        name, label, row["type"], row["fieldType"], row["groupName"] or _group(object_type, name),
        description=f"{label} (HubSpot-defined).", options=options, hubspot_defined=True,
        calculated=calculated, unique=name in ("hs_object_id", "email", "domain", "hs_unique_creation_key"),
        read_only=calculated or bool(_READ_ONLY.match(name)), external_options=external,
    )  # fmt: skip


@functools.lru_cache(maxsize=1)
def catalogue_rows() -> tuple[dict[str, str], ...]:
    """Every row of the shipped catalogue (columns object, name, type, fieldType, groupName, label,
    options, source), read once."""
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def hubspot_properties(object_type: str) -> list[PropertySpec]:
    """HubSpot's own properties of ``object_type``, in the catalogue's order."""
    if object_type not in OBJECT_TYPE_IDS:
        raise KeyError(object_type)
    return [_spec(row) for row in catalogue_rows() if row["object"] == object_type]


# Custom properties cycle through every (type, fieldType) pair a portal's own fields have, the
# calculated ones included.
CUSTOM_KINDS = [
    ("string", "text"), ("number", "number"), ("enumeration", "select"), ("date", "date"),
    ("datetime", "date"), ("bool", "booleancheckbox"), ("enumeration", "checkbox"),
    ("string", "textarea"), ("enumeration", "radio"), ("phone_number", "phonenumber"),
    ("number", "calculation_equation"), ("datetime", "calculation_rollup"),
]  # fmt: skip
# Labels the way portal admins write them; the internal name is HubSpot's: the label lower-cased,
# every other character an underscore ("Hair length (other than standard)" →
# hair_length__other_than_standard_). Most labels carry a qualifier in parentheses, as admins write
# them to tell similar fields apart, and every fifth field is synced from Salesforce (``__c``): real
# portals' custom names are long, so ``properties="all"`` needs more than one 16,000-character URL.
_TOPICS = [
    "Account tier", "Sales region", "NPS survey", "Churn risk", "Onboarding", "Renewal", "Customer segment",
    "Buyer persona", "Contract", "Product interest", "Support plan", "Billing", "Referral partner",
    "Webinar", "Free trial", "Partner program", "Budget", "Territory", "Account health", "Expansion",
    "Training", "Customer survey", "Loyalty program", "Campaign (legacy)", "Event attendance",
    "Integration", "Product usage", "License", "Compliance review", "Procurement", "Preferred language",
    "Time zone (customer)",
]  # fmt: skip
_KIND_LABEL = {
    ("string", "text"): "notes", ("number", "number"): "score", ("enumeration", "select"): "level",
    ("date", "date"): "date", ("datetime", "date"): "last updated at",
    ("bool", "booleancheckbox"): "confirmed?", ("enumeration", "checkbox"): "tags",
    ("string", "textarea"): "details", ("enumeration", "radio"): "status",
    ("phone_number", "phonenumber"): "contact phone", ("number", "calculation_equation"): "days open",
    ("datetime", "calculation_rollup"): "latest activity",
}  # fmt: skip
_QUALIFIERS = [
    "from onboarding survey", "as reported by customer success", "synced from billing system",
    "last quarter", "renewal discussion", "for the account team", "legacy import 2021",
    "self-reported on signup form", "entered by sales ops", "regional marketing",
]  # fmt: skip
_OPTION_WORDS = ["Bronze", "Silver", "Gold", "Platinum", "North", "South", "East", "West", "Core", "Other"]
CUSTOM_GROUPS = [("custom_profile", "Custom profile"), ("custom_scoring", "Custom scoring"),
                 ("custom_operations", "Custom operations")]  # fmt: skip


def internal_name(label: str) -> str:
    """HubSpot's internal name for a label typed in the UI."""
    return re.sub(r"[^a-z0-9]", "_", label.lower())


def custom_properties(object_type: str, count: int) -> list[PropertySpec]:
    """``count`` custom properties (plus two archived ones), deterministic for the object type."""
    specs = []
    for k in range(count + 2):
        type_, field_type = CUSTOM_KINDS[k % len(CUSTOM_KINDS)]
        topic = _TOPICS[(k // len(CUSTOM_KINDS)) % len(_TOPICS)]
        round_ = k // (len(CUSTOM_KINDS) * len(_TOPICS))
        label = f"{topic} {_KIND_LABEL[type_, field_type]}" + (f" {round_ + 1}" if round_ else "")
        if k % 4:
            label += f" ({_QUALIFIERS[(k * 7 + round_) % len(_QUALIFIERS)]})"
        name = internal_name(label)
        if k % 5 == 4 and not field_type.startswith("calculation_"):
            name, label = f"{name}__c", f"{label} (Salesforce)"
        options: Options = []
        if type_ == "enumeration":
            n = 3 + k % 6
            options = [
                (internal_name(_OPTION_WORDS[j]) + f"_{k}", f"{_OPTION_WORDS[j]} {k}") for j in range(n)
            ]
        elif type_ == "bool":
            options = BOOL_OPTIONS
        group = CUSTOM_GROUPS[k % len(CUSTOM_GROUPS)][0]
        desc = f"Custom {SINGULAR[object_type]} property: {label.lower()}."
        specs.append(PropertySpec(name, label, type_, field_type, group, desc, options,
                                  hubspot_defined=False, calculated=field_type.startswith("calculation_"),
                                  read_only=field_type.startswith("calculation_"),
                                  archived=k >= count))  # fmt: skip
    return specs


def property_groups(object_type: str) -> list[dict[str, Any]]:
    seen = dict.fromkeys(s.group for s in hubspot_properties(object_type))
    groups = [(g, GROUP_LABELS.get(g, readable(g))) for g in seen] + CUSTOM_GROUPS
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
