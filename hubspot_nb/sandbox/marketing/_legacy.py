"""Legacy marketing families that released third-party extractors still call, with HubSpot's v1/v2/v3
shapes and offset paging: email campaigns (``/email/public/v1/campaigns``), subscription types and
their timeline, forms v2, marketing emails v1 with statistics and workflows v3. All are unsupported by
HubSpot from September 2027 (the v1–v3 cut-off, reference hubspot-2026.md §1). The sandbox has no
workflows and no subscription changes: it answers those with empty results, as HubSpot does for a
portal without them.
"""

from __future__ import annotations

from typing import Any

from ..routing import Request, Response, Router
from ._emails import list_legacy_campaigns
from ._json import email_counts, form_json, statistics
from ._params import EMAIL_SCOPES, EVENT_SCOPES, FORM_SCOPES, MarketingHost, encode_cursor
from ._records import Form, MarketingEmail

router = Router()
SUBSCRIPTION_TYPES = [  # (id, name, description, category)
    (1, "Marketing Information", "Marketing offers and updates.", "MARKETING"),
    (2, "One to One", "One to one emails.", "SALES"),
    (3, "Customer Service Communication", "Feedback requests and service updates.", "SERVICE"),
]


# Email campaigns v1 (unsupported from September 2027): the same sends as .../campaigns/by-id.
@router.route("GET", "/email/public/v1/campaigns", scopes=EVENT_SCOPES, limit="burst")
def list_campaigns(sb: MarketingHost, req: Request) -> Response:
    page: Response = list_legacy_campaigns(sb, req)
    return page


# Subscriptions v1 (unsupported from September 2027).
@router.route("GET", "/email/public/v1/subscriptions", scopes=EVENT_SCOPES, limit="burst")
def list_subscription_types(sb: MarketingHost, req: Request) -> Response:
    hub_id = sb.marketing.hub_id
    defs = [
        {"id": sid, "portalId": hub_id, "name": name, "description": desc, "active": True, "internal": False,
         "category": category, "channel": "EMAIL", "internalName": name.upper().replace(" ", "_"),
         "businessUnitId": 0}
        for sid, name, desc, category in SUBSCRIPTION_TYPES
    ]  # fmt: skip
    return Response.json({"subscriptionDefinitions": defs}, records=len(defs))


# Subscriptions timeline v1 (unsupported from September 2027): no changes recorded in the sandbox.
@router.route("GET", "/email/public/v1/subscriptions/timeline", scopes=EVENT_SCOPES, limit="burst")
def subscription_timeline(sb: MarketingHost, req: Request) -> dict[str, Any]:
    req.int_arg("limit", 100, maximum=1000)
    return {"timeline": [], "hasMore": False, "offset": encode_cursor(0)}


def form_v2(hub_id: int, f: Form) -> dict[str, Any]:
    """A form in the forms v2 shape (epoch-ms dates, ``guid``, fields in ``formFieldGroups``)."""
    v3 = form_json(f)
    fields = [field for group in v3.get("fieldGroups", []) for field in group.get("fields", [])]
    return {
        "portalId": hub_id, "guid": f.id, "name": f.name, "action": "", "method": "POST", "cssClass": "",
        "redirect": "", "submitText": "Submit", "followUpId": "", "notifyRecipients": "",
        "leadNurturingCampaignId": "", "createdAt": f.created_ms, "updatedAt": f.updated_ms,
        "formType": f.form_type.upper() if f.form_type != "hubspot" else "HUBSPOT", "deletable": True,
        "inlineMessage": "Thanks for submitting the form.", "captchaEnabled": False, "cloneable": True,
        "editable": True, "style": "", "isPublished": not f.archived,
        "formFieldGroups": [
            {"fields": [{"name": fl.get("name"), "label": fl.get("label", ""), "type": "string",
                         "fieldType": fl.get("fieldType", "text"), "required": fl.get("required", False),
                         "hidden": fl.get("hidden", False), "enabled": True, "objectTypeId": "0-1"}],
             "default": True, "isSmartGroup": False}
            for fl in fields
        ],
    }  # fmt: skip


# Forms v2 (unsupported from September 2027): HubSpot-type forms, not archived, as one array.
@router.route("GET", "/forms/v2/forms", scopes=FORM_SCOPES, limit="burst")
def list_forms_v2(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    forms = [form_v2(md.hub_id, f) for f in md.forms if not f.archived and f.form_type == "hubspot"]
    return Response.json(forms, records=len(forms))


def email_v1(sb: MarketingHost, e: MarketingEmail) -> dict[str, Any]:
    md = sb.marketing
    body: dict[str, Any] = {
        "id": int(e.id), "portalId": md.hub_id, "name": e.name, "subject": e.subject, "emailType": e.type,
        "state": e.state, "subcategory": e.subcategory.lower(), "isPublished": e.is_published,
        "archived": e.archived, "created": e.created_ms, "updated": e.updated_ms,
        "publishDate": e.published_ms, "fromName": e.from_name, "replyTo": e.reply_to,
        "allEmailCampaignIds": list(e.email_campaign_ids), "rootMicId": None,
        "stats": statistics(email_counts(md, e, None, None)),
    }  # fmt: skip
    if e.email_campaign_ids:
        body["primaryEmailCampaignId"] = e.email_campaign_ids[0]
    if e.campaign is not None:
        body["campaign"] = e.campaign.id
        body["campaignName"] = e.campaign.name
    return body


# Marketing emails v1 (unsupported from September 2027): offset/limit paging, ``total`` reported.
@router.route("GET", "/marketing-emails/v1/emails/with-statistics", scopes=EMAIL_SCOPES, limit="burst")
def list_emails_v1(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    limit = req.int_arg("limit", 20, maximum=300)
    start = req.int_arg("offset", 0, minimum=0)
    emails = [e for e in md.emails if not e.archived]
    page = emails[start : start + limit]
    body = {"objects": [email_v1(sb, e) for e in page], "limit": limit, "offset": start, "total": len(emails)}
    return Response.json(body, records=len(page))


# Workflows v3 (unsupported from September 2027): the sandbox portal has none.
@router.route("GET", "/automation/v3/workflows", scopes=("automation",), limit="burst")
def list_workflows(sb: MarketingHost, req: Request) -> dict[str, Any]:
    return {"workflows": []}
