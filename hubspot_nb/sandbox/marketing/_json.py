"""HubSpot's JSON shapes for the sandbox's marketing objects: emails with their statistics, legacy
email events, campaigns, forms and form submissions."""

from __future__ import annotations

from typing import Any

from ..timestamps import iso_ms
from ._data import MarketingData
from ._email_events import (
    BOUNCE,
    BOUNCE_CATEGORIES,
    CLICK,
    DEFERRED,
    DELIVERED,
    DEVICES,
    DROP_REASONS,
    DROPPED,
    HARD_BOUNCES,
    N_CODES,
    OPEN,
    S_CLICK_COMPUTER,
    S_CLICK_UNKNOWN,
    S_DELIVERED,
    S_DROPPED,
    S_HARD,
    S_OPEN_COMPUTER,
    S_OPEN_UNKNOWN,
    S_SELECTED,
    S_SENT,
    S_SOFT,
    S_SPAM,
    S_UNSUB,
    SENT,
    STATUSCHANGE,
    TYPES,
)
from ._records import Campaign, Form, MarketingEmail, Submission
from ._words import (
    BROWSERS,
    COMMENTS,
    FIELD_LABELS,
    LOCATIONS,
    MESSAGES,
    VISITOR_DOMAINS,
    VISITOR_NAMES,
    VISITOR_SURNAMES,
)

# -- statistics -----------------------------------------------------------------------------------


def email_counts(
    md: MarketingData, email: MarketingEmail, start_ms: int | None, end_ms: int | None
) -> list[int]:
    """Stat-code counts of all sends of ``email`` in ``[start_ms, end_ms)``."""
    log = md.events
    total = [0] * N_CODES
    for send_id in email.email_campaign_ids:
        s = log.send_index.get(send_id)
        if s is not None:
            for i, n in enumerate(log.code_counts(s, start_ms, end_ms)):
                total[i] += n
    return total


def add_counts(into: list[int], more: list[int]) -> list[int]:
    for i, n in enumerate(more):
        into[i] += n
    return into


def statistics(c: list[int]) -> dict[str, Any]:
    """``EmailStatisticsData`` from stat-code counts (see _email_events for what each counter means)."""
    opens = c[S_OPEN_COMPUTER : S_OPEN_UNKNOWN + 1]
    clicks = c[S_CLICK_COMPUTER : S_CLICK_UNKNOWN + 1]
    sent, delivered = c[S_SENT], c[S_DELIVERED]
    hard, soft = c[S_HARD], c[S_SOFT]
    opened, clicked = sum(opens), sum(clicks)
    unsub, spam, dropped = c[S_UNSUB], c[S_SPAM], c[S_DROPPED]
    selected = c[S_SELECTED]
    lost = hard + unsub + spam
    counters = {
        "sent": sent,
        "delivered": delivered,
        "open": opened,
        "click": clicked,
        "bounce": hard + soft,
        "hardbounced": hard,
        "softbounced": soft,
        "unsubscribed": unsub,
        "spamreport": spam,
        "dropped": dropped,
        "notsent": dropped,
        "pending": 0,
        "selected": selected,
        "suppressed": 0,
        "contactslost": lost,
        "reply": 0,
    }

    def pct(a: int, b: int) -> float:
        return round(100.0 * a / b, 4) if b else 0.0

    ratios = {
        "openratio": pct(opened, delivered),
        "clickratio": pct(clicked, delivered),
        "clickthroughratio": pct(clicked, opened),
        "deliveredratio": pct(delivered, sent),
        "bounceratio": pct(hard + soft, sent),
        "hardbounceratio": pct(hard, sent),
        "softbounceratio": pct(soft, sent),
        "unsubscribedratio": pct(unsub, delivered),
        "spamreportratio": pct(spam, delivered),
        "notsentratio": pct(dropped, selected),
        "pendingratio": 0.0,
        "contactslostratio": pct(lost, delivered),
        "replyratio": 0.0,
    }
    return {
        "counters": counters,
        "deviceBreakdown": {
            "open_device_type": dict(zip(DEVICES, opens, strict=True)),
            "click_device_type": dict(zip(DEVICES, clicks, strict=True)),
        },
        "qualifierStats": {},
        "ratios": ratios,
    }


# -- marketing emails -----------------------------------------------------------------------------


def email_json(md: MarketingData, e: MarketingEmail, with_stats: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": e.id,
        "name": e.name,
        "subject": e.subject,
        "type": e.type,
        "state": e.state,
        "subcategory": e.subcategory,
        "isPublished": e.is_published,
        "isTransactional": False,
        "language": "en",
        "archived": e.archived,
        "createdAt": iso_ms(e.created_ms),
        "updatedAt": iso_ms(e.updated_ms),
        "createdById": md.owners[e.index % len(md.owners)],
        "updatedById": md.owners[e.index % len(md.owners)],
        "from": {"fromName": e.from_name, "replyTo": e.reply_to},
        "to": {
            "contactIds": {},
            "contactIlsLists": {"include": [str(1 + e.index % 7)]},
            "suppressGraymail": True,
        },
        "subscriptionDetails": {"subscriptionId": "1", "officeLocationId": "1"},
        "content": {"templatePath": "@hubspot/email/dnd/plain_text.html", "widgets": {}},
        "webversion": {"enabled": False},
        "activeDomain": "info.example.com",
        "sendOnPublish": e.type != "AUTOMATED_EMAIL",
        # the v3 spec declares the send ids strings (the v1 APIs that use them answer numbers)
        "allEmailCampaignIds": [str(k) for k in e.email_campaign_ids],
        "isAb": len(e.email_campaign_ids) > 1,  # the one field the spec requires; A/B mails have 2 sends
    }
    if e.published_ms is not None:
        body["publishedAt"] = iso_ms(e.published_ms)
        body["publishDate"] = iso_ms(e.published_ms)
        body["publishedById"] = body["createdById"]
    if e.campaign is not None:
        body["campaign"] = e.campaign.id
        body["campaignName"] = e.campaign.name
    if with_stats:
        body["stats"] = statistics(email_counts(md, e, None, None))
    return body


# -- legacy email events and campaigns --------------------------------------------------------------

_APP = {"AUTOMATED_EMAIL": (20053, "AutomationPlatform")}
_BATCH_APP = (113, "Batch")


def app_of(e: MarketingEmail) -> tuple[int, str]:
    return _APP.get(e.type, _BATCH_APP)


def event_json(md: MarketingData, pos: int) -> dict[str, Any]:
    log = md.events
    plan = log.plans[log.send[pos]]
    email = md.emails[plan.email_index]
    kind = log.type[pos]
    recip = log.recipient[pos]
    detail = log.detail[pos]
    app_id, app_name = app_of(email)
    body: dict[str, Any] = {
        "id": log.event_id(pos),
        "created": log.created[pos],
        "type": TYPES[kind],
        "recipient": md.contacts[recip][1],
        "portalId": md.hub_id,
        "appId": app_id,
        "appName": app_name,
        "emailCampaignId": plan.email_campaign_id,
    }
    ref = log.sent_ref[pos]
    if ref >= 0:
        sent_id = log.event_id(ref)
        body["sentBy"] = {"id": sent_id, "created": log.created[ref]}
        body["hmid"] = sent_id[:18]  # one message id per sent message
    if kind in (SENT, DROPPED):
        body.update(subject=email.subject, **{"from": f"{email.from_name} <{email.reply_to}>"})
        body.update(replyTo=[email.reply_to], cc=[], bcc=[])
    if kind == DROPPED:
        reason = DROP_REASONS[detail]
        body.update(dropReason=reason, dropMessage=f"Not sent: {reason.lower().replace('_', ' ')}.")
    elif kind == DELIVERED:
        body.update(
            response="250 2.0.0 OK queued as " + body["id"][:12], smtpId=f"<{body['id']}@mail.example.com>"
        )
    elif kind == DEFERRED:
        body.update(response="451 4.7.1 Try again later", attempt=detail)
    elif kind == BOUNCE:
        category = BOUNCE_CATEGORIES[detail]
        hard = category in HARD_BOUNCES
        body.update(
            category=category,
            status="5.1.1" if hard else "4.2.2",
            response=("550 5.1.1 Recipient address rejected" if hard else "452 4.2.2 Mailbox full"),
        )
    elif kind in (OPEN, CLICK):
        device = DEVICES[detail & 3]
        name, family, agent = BROWSERS[device][recip % len(BROWSERS[device])]
        country, state, city = LOCATIONS[recip % len(LOCATIONS)]
        body.update(
            userAgent=agent,
            browser={"name": name, "family": family, "producer": "", "type": "Browser", "version": []},
            location={"country": country, "state": state, "city": city},
            deviceType=device.upper(),
            filteredEvent=False,
        )
        if kind == OPEN:
            body["duration"] = 1_000 + (pos * 7919) % 30_000
        else:
            body["url"] = email.links[(detail >> 2) % len(email.links)]
            body["referer"] = ""
    elif kind == STATUSCHANGE:
        body.update(
            source="SOURCE_RECIPIENT",
            subscriptions=[{"id": 1, "status": "UNSUBSCRIBED"}],
            portalSubscriptionStatus="SUBSCRIBED",
            requestedBy=md.contacts[recip][1],
        )
    return body


def legacy_campaign_json(md: MarketingData, send_id: int) -> dict[str, Any]:
    email = md.email_by_send[send_id]
    app_id, app_name = app_of(email)
    log = md.events
    s = log.send_index.get(send_id)
    counters = log.type_counts(s) if s is not None else {}
    span = log.span(s) if s is not None else None
    body: dict[str, Any] = {
        "id": send_id,
        "appId": app_id,
        "appName": app_name,
        "contentId": int(email.id),
        "name": email.name,
        "subject": email.subject,
        "type": email.type,
        "counters": counters,
        "numIncluded": counters.get("processed", 0),
        "numQueued": 0,
        "processingState": "DONE" if email.type != "AUTOMATED_EMAIL" else "PROCESSING",
    }
    if span is not None:
        body.update(lastProcessingStartedAt=span[0], lastProcessingFinishedAt=span[1])
    return body


# -- campaigns, forms, submissions ----------------------------------------------------------------


def campaign_json(c: Campaign, props: list[str] | None) -> dict[str, Any]:
    """A campaign; ``props`` None → HubSpot's empty properties map, else only those (set ones)."""
    every = c.properties()
    chosen = {k: every[k] for k in (props or []) if every.get(k) not in (None, "")}
    return {
        "id": c.id,
        "properties": chosen,
        "createdAt": iso_ms(c.created_ms),
        "updatedAt": iso_ms(c.updated_ms),
        "businessUnits": [{"id": 0}],
    }


# HubSpot's default form style: the spec requires all twelve (strings).
FORM_STYLE = {
    "fontFamily": "arial, helvetica, sans-serif",
    "backgroundWidth": "100%",
    "labelTextColor": "#33475b",
    "labelTextSize": "14px",
    "helpTextColor": "#7C98B6",
    "helpTextSize": "11px",
    "legalConsentTextColor": "#33475b",
    "legalConsentTextSize": "14px",
    "submitColor": "#ff7a59",
    "submitFontColor": "#ffffff",
    "submitSize": "12px",
    "submitAlignment": "left",
}


def form_json(f: Form) -> dict[str, Any]:
    """HubSpot's v3 form definition (``FormDefinitionBase``); every ``formType`` has this shape."""
    fields = []
    for name in f.fields:
        label, field_type = FIELD_LABELS[name]
        field: dict[str, Any] = {
            "objectTypeId": "0-1",
            "name": name,
            "label": label,
            "required": name == "email",
            "hidden": False,
            "fieldType": field_type,
            "dependentFields": [],
        }
        if field_type == "email":
            field["validation"] = {"blockedEmailDomains": [], "useDefaultBlockList": False}
        elif field_type == "phone":
            field["useCountryCodeSelect"] = False
            field["validation"] = {"minAllowedDigits": 7, "maxAllowedDigits": 20}
        fields.append(field)
    groups = [{"groupType": "default_group", "richTextType": "text", "fields": [fd]} for fd in fields]
    body: dict[str, Any] = {
        "id": f.id,
        "name": f.name,
        "formType": f.form_type,
        "createdAt": iso_ms(f.created_ms),
        "updatedAt": iso_ms(f.updated_ms),
        "archived": f.archived,
        "fieldGroups": groups,
        "configuration": {
            "language": "en",
            "cloneable": True,
            "editable": True,
            "archivable": True,
            "recaptchaEnabled": False,
            "notifyContactOwner": False,
            "notifyRecipients": [],
            "createNewContactForNewEmail": False,
            "prePopulateKnownValues": True,
            "allowLinkToResetKnownValues": False,
            "postSubmitAction": {"type": "thank_you", "value": "Thanks for submitting the form."},
            "lifecycleStages": [],
        },
        "displayOptions": {
            "renderRawHtml": False,
            "theme": "default_style",
            "submitButtonText": "Submit",
            "style": FORM_STYLE,
            "cssClass": "",
        },
        "legalConsentOptions": {"type": "none"},
    }
    if f.archived_ms is not None:
        body["archivedAt"] = iso_ms(f.archived_ms)
    return body


def submission_json(md: MarketingData, f: Form, s: Submission) -> dict[str, Any]:
    """One v1 form submission: ``conversionId, submittedAt`` (ms), ``values, pageUrl``."""
    values = []
    for name in f.fields:
        value = _submitted_value(md, s, name)
        if value:
            values.append({"name": name, "value": value})
    return {
        "conversionId": s.conversion_id,
        "submittedAt": s.submitted_ms,
        "values": values,
        "pageUrl": f.page_url,
    }


def _submitted_value(md: MarketingData, s: Submission, name: str) -> str | None:
    if name == "message":
        return MESSAGES[s.visitor % len(MESSAGES)]
    if name == "comment":
        return COMMENTS[s.visitor % len(COMMENTS)]
    if s.contact >= 0:
        return md.contacts[s.contact][1] if name == "email" else md.contact_value(s.contact, name)
    first = VISITOR_NAMES[s.visitor % len(VISITOR_NAMES)]
    last = VISITOR_SURNAMES[(s.visitor // 10) % len(VISITOR_SURNAMES)]
    made_up = {
        "email": f"{first}.{last}{s.visitor}@{VISITOR_DOMAINS[s.visitor % len(VISITOR_DOMAINS)]}".lower(),
        "firstname": first,
        "lastname": last,
        "company": f"{last} & Co.",
        "phone": f"+1 617 555 {s.visitor % 10_000:04d}",
        "jobtitle": "Marketing Manager",
    }
    return made_up.get(name)
