"""Per-contact roll-ups of the marketing data: what HubSpot writes on a contact from its e-mail events
(``hs_email_*``) and its form submissions (``first_conversion_*``, ``recent_conversion_*``,
``num_conversion_events``). The CRM shows them as contact properties (``MarketingData.contact_rollups``
is its ``EngagementSource``), so a contact's properties always equal its events and submissions:

- ``hs_email_delivered`` / ``hs_email_bounce``: its DELIVERED / BOUNCE events;
- ``hs_email_open`` / ``hs_email_click``: the sends it opened / clicked (each counted once);
- ``hs_email_first_/last_send_date``, ``_open_date``, ``_click_date``: its first and last SENT, OPEN and
  CLICK events; ``hs_email_last_email_name``: the name of the email of its last SENT event;
- ``hs_email_sends_since_last_engagement``: SENT events after its last open or click;
- ``hs_email_hard_bounce_reason_enum`` / ``hs_email_bad_address``: from its last hard bounce;
- conversions: its first and latest submission (date, form name), how many, over how many forms.

Contacts the marketing data never e-mailed (or that never submitted a form) have these unset.
"""

from __future__ import annotations

from typing import Protocol

from ..timestamps import iso_ms
from ._email_events import BOUNCE, CLICK, DELIVERED, HARD_BOUNCES, OPEN, SENT, EmailEventLog
from ._records import Form, MarketingEmail, Submission


class MarketingData(Protocol):
    """What the roll-ups read (``_data.MarketingData`` is one; a Protocol keeps imports one-way)."""

    emails: list[MarketingEmail]
    forms: list[Form]

    @property
    def contacts(self) -> list[tuple[str, str]]: ...
    @property
    def events(self) -> EmailEventLog: ...
    @property
    def submissions(self) -> dict[str, list[Submission]]: ...


# HubSpot's hs_email_hard_bounce_reason_enum options: CONTENT;MAILBOX_FULL;OTHER;POLICY;SPAM;UNKNOWN_USER
_BOUNCE_ENUM = {"UNKNOWN_USER": "UNKNOWN_USER", "POLICY": "POLICY", "SPAM": "SPAM"}


def contact_rollups(md: MarketingData) -> dict[str, dict[str, str]]:
    contacts = md.contacts
    out: dict[str, dict[str, str]] = {}
    log = md.events
    # per recipient (snapshot index): counters and first/last moments
    delivered: dict[int, int] = {}
    bounced: dict[int, int] = {}
    opened: dict[int, set[int]] = {}
    clicked: dict[int, set[int]] = {}
    first: dict[tuple[int, int], int] = {}  # (kind, recipient) -> ms
    last: dict[tuple[int, int], int] = {}
    last_send: dict[int, int] = {}  # recipient -> send index of the last SENT
    engaged: dict[int, int] = {}  # recipient -> ms of the last open or click
    sent_times: dict[int, list[int]] = {}
    hard: dict[int, int] = {}  # recipient -> bounce category of its last hard bounce
    types, recipients, sends, created, details = log.type, log.recipient, log.send, log.created, log.detail
    for pos in range(len(log)):  # time order: later events overwrite "last"
        kind, r, t = types[pos], recipients[pos], created[pos]
        if kind == DELIVERED:
            delivered[r] = delivered.get(r, 0) + 1
        elif kind == BOUNCE:
            bounced[r] = bounced.get(r, 0) + 1
            if details[pos] < len(HARD_BOUNCES):
                hard[r] = details[pos]
        elif kind in (SENT, OPEN, CLICK):
            first.setdefault((kind, r), t)
            last[kind, r] = t
            if kind == SENT:
                last_send[r] = sends[pos]
                sent_times.setdefault(r, []).append(t)
            else:
                (opened if kind == OPEN else clicked).setdefault(r, set()).add(sends[pos])
                engaged[r] = t
    names: dict[str, dict[str, str]] = {
        "hs_email_delivered": {}, "hs_email_open": {}, "hs_email_click": {}, "hs_email_bounce": {},
        "hs_email_first_send_date": {}, "hs_email_last_send_date": {}, "hs_email_first_open_date": {},
        "hs_email_last_open_date": {}, "hs_email_first_click_date": {}, "hs_email_last_click_date": {},
        "hs_email_last_email_name": {}, "hs_email_sends_since_last_engagement": {},
        "hs_email_hard_bounce_reason_enum": {}, "hs_email_bad_address": {},
    }  # fmt: skip
    email_of_send = [md.emails[p.email_index].name for p in log.plans]
    for r, times in sent_times.items():
        cid = contacts[r][0]
        names["hs_email_delivered"][cid] = str(delivered.get(r, 0))
        names["hs_email_bounce"][cid] = str(bounced.get(r, 0))
        names["hs_email_open"][cid] = str(len(opened.get(r, ())))
        names["hs_email_click"][cid] = str(len(clicked.get(r, ())))
        for kind, label in ((SENT, "send"), (OPEN, "open"), (CLICK, "click")):
            if (kind, r) in first:
                names[f"hs_email_first_{label}_date"][cid] = iso_ms(first[kind, r])
                names[f"hs_email_last_{label}_date"][cid] = iso_ms(last[kind, r])
        names["hs_email_last_email_name"][cid] = email_of_send[last_send[r]]
        since = engaged.get(r)
        names["hs_email_sends_since_last_engagement"][cid] = str(
            len(times) if since is None else sum(1 for t in times if t > since)
        )
        if r in hard:
            reason = HARD_BOUNCES[hard[r]]
            names["hs_email_hard_bounce_reason_enum"][cid] = _BOUNCE_ENUM.get(reason, "OTHER")
            names["hs_email_bad_address"][cid] = "true" if reason == "UNKNOWN_USER" else "false"
    out.update(names)
    out.update(_conversions(md))
    return out


def _conversions(md: MarketingData) -> dict[str, dict[str, str]]:
    contacts = md.contacts
    seen: dict[int, list[tuple[int, str, str]]] = {}  # recipient -> (ms, form name, form id)
    for form in md.forms:
        for sub in md.submissions[form.id]:
            if sub.contact >= 0:
                seen.setdefault(sub.contact, []).append((sub.submitted_ms, form.name, form.id))
    names = ("first_conversion_date", "first_conversion_event_name", "recent_conversion_date",
             "recent_conversion_event_name", "num_conversion_events",
             "num_unique_conversion_events")  # fmt: skip
    out: dict[str, dict[str, str]] = {name: {} for name in names}
    for r, subs in seen.items():
        subs.sort()
        cid = contacts[r][0]
        out["first_conversion_date"][cid] = iso_ms(subs[0][0])
        out["first_conversion_event_name"][cid] = subs[0][1]
        out["recent_conversion_date"][cid] = iso_ms(subs[-1][0])
        out["recent_conversion_event_name"][cid] = subs[-1][1]
        out["num_conversion_events"][cid] = str(len(subs))
        out["num_unique_conversion_events"][cid] = str(len({fid for _, _, fid in subs}))
    return out
