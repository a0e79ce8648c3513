"""The sandbox's marketing data: campaigns, marketing emails, forms, and (lazily) email events,
form submissions and website traffic — all deterministic for ``config.seed``.

Time: everything happens in the ~12 months before a fixed **anchor** instant derived from the seed
(``anchor_for(seed)``: 2026-11-01T00:00:00Z minus ``seed % 7`` days; seed 7 → 2026-11-01), never
from the wall clock, so two runs with one seed serve identical data. Campaigns, emails and forms
are built at start-up (tiny); events, submissions and traffic are built on first use (a second or
two for ~150,000 events), under a lock, and cached.

Recipients and submitters are the portal's contacts: ``portal.store("contacts")`` with ``ids()``
and ``value(id, prop)`` (``crm.Portal``, seen through the ``ContactSource`` Protocol); a share of
form submissions come from e-mail addresses that are not in the CRM.

Forms come in every type HubSpot lists (``hubspot``, ``flow``, ``blog_comment``, ``captured``) and
some are archived (their submissions stop at the archiving; whether they can still be read is the
``archived_form_submissions`` setting).
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Protocol

from ..config import Config
from ._email_events import EmailEventLog, SendPlan
from ._records import Campaign, Form, MarketingEmail, Submission
from ._rollups import contact_rollups
from ._traffic import Traffic
from ._words import (
    CAMPAIGN_COLORS,
    CAMPAIGN_THEMES,
    EMAIL_TOPICS,
    FORM_KINDS,
    FROM_NAMES,
    LINK_PATHS,
)

_ANCHOR_BASE = datetime(2026, 11, 1, tzinfo=timezone.utc)
_DAY_MS = 86_400_000
RECIPIENT_BUDGET = 100_000  # total recipients over all sends: keeps events ≲ 500k however many emails


def anchor_for(seed: int) -> datetime:
    """The instant the sandbox's marketing data ends (its "now"); deterministic for the seed."""
    return _ANCHOR_BASE - timedelta(days=seed % 7)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class ContactStore(Protocol):
    """The CRM's contacts as the marketing data reads them (``crm.ObjectStore`` is one)."""

    def ids(self) -> list[str]: ...

    def value(self, record_id: str, name: str) -> str | None: ...


class ContactSource(Protocol):
    """The portal the marketing data is built over (``crm.Portal`` is one): recipients and
    submitters are its contacts, so marketing never imports the CRM package."""

    def store(self, name: str) -> ContactStore: ...


class MarketingData:
    """Everything the marketing routes serve. Heavy parts are built on first use and cached."""

    def __init__(self, config: Config, portal: ContactSource, hub_id: int) -> None:
        self.config = config  # runtime knobs (archived_form_submissions) are read per request
        self.seed = int(config.seed)
        self.hub_id = hub_id
        self.anchor = anchor_for(self.seed)
        self.anchor_ms = int(self.anchor.timestamp() * 1000)
        self.start_ms = self.anchor_ms - 365 * _DAY_MS
        self._contacts_store = portal.store("contacts")
        rng = random.Random(f"{self.seed}:marketing")
        self.owners = [str(rng.randrange(10_000_000, 99_999_999)) for _ in range(5)]
        self.campaigns = _build_campaigns(rng, self, int(config.campaigns))
        self.emails = _build_emails(rng, self, int(config.emails))
        self.forms = _build_forms(rng, self, int(config.forms))
        self.campaign_by_id = {c.id: c for c in self.campaigns}
        self.email_by_id = {e.id: e for e in self.emails}
        self.form_by_id = {f.id: f for f in self.forms}
        self.email_by_send = {k: e for e in self.emails for k in e.email_campaign_ids}
        self._lock = threading.Lock()
        self._contacts: list[tuple[str, str]] | None = None
        self._events: EmailEventLog | None = None
        self._submissions: dict[str, list[Submission]] | None = None
        self._traffic: Traffic | None = None
        self._rollups: dict[str, dict[str, str]] | None = None

    # -- lazily built parts ---------------------------------------------------------------------
    @property
    def contacts(self) -> list[tuple[str, str]]:
        """Snapshot of (contact id, email) of contacts with an e-mail address, by numeric id."""
        if self._contacts is not None:
            return self._contacts
        with self._lock:
            if self._contacts is None:
                store = self._contacts_store
                ids = sorted(store.ids(), key=lambda i: (len(str(i)), str(i)))
                pairs = ((str(i), store.value(i, "email")) for i in ids)
                self._contacts = [(i, e) for i, e in pairs if e]
            return self._contacts

    def contact_value(self, index: int, prop: str) -> str | None:
        return self._contacts_store.value(self.contacts[index][0], prop)

    @property
    def events(self) -> EmailEventLog:
        if self._events is not None:
            return self._events
        contacts = self.contacts
        with self._lock:
            if self._events is None:
                self._events = EmailEventLog(self.seed, _send_plans(self, len(contacts)))
            return self._events

    @property
    def submissions(self) -> dict[str, list[Submission]]:
        """Form id → its submissions, newest first."""
        if self._submissions is not None:
            return self._submissions
        contacts = self.contacts
        with self._lock:
            if self._submissions is None:
                self._submissions = _build_submissions(self, len(contacts))
            return self._submissions

    def readable_submissions(self, form: Form) -> list[Submission] | None:
        """What the submissions endpoint serves for ``form``, newest first; None: answer 404.

        An archived form's submissions follow ``config.archived_form_submissions`` (whether HubSpot
        still serves them is unconfirmed): "readable" (all of them), "empty" (none), "gone" (404).
        """
        subs = self.submissions[form.id]
        if not form.archived:
            return subs
        setting = self.config.archived_form_submissions
        return subs if setting == "readable" else [] if setting == "empty" else None

    def contact_rollups(self) -> dict[str, dict[str, str]]:
        """Per-contact e-mail and conversion roll-ups (``_rollups``): the CRM's ``EngagementSource``."""
        if self._rollups is None:
            rollups = contact_rollups(self)  # builds events and submissions under their own locks
            with self._lock:
                if self._rollups is None:
                    self._rollups = rollups
        return self._rollups

    @property
    def traffic(self) -> Traffic:
        with self._lock:
            if self._traffic is None:
                self._traffic = Traffic(self.seed, self.anchor.date(), [c.name for c in self.campaigns])
            return self._traffic


def build_marketing(config: Config, portal: ContactSource, hub_id: int) -> MarketingData:
    """The portal's marketing data, sized by ``config.emails``/``campaigns``/``forms``."""
    return MarketingData(config, portal, hub_id)


# -- builders -------------------------------------------------------------------------------------
def _build_campaigns(rng: random.Random, md: MarketingData, n: int) -> list[Campaign]:
    anchor_day = md.anchor.date()
    out = []
    for i in range(n):
        theme, audience = CAMPAIGN_THEMES[i % len(CAMPAIGN_THEMES)]
        start = anchor_day - timedelta(days=rng.randrange(20, 360))
        end = start + timedelta(days=rng.choice((14, 30, 45, 60, 90, 120)))
        status = "completed" if end < anchor_day else rng.choice(("active", "in_progress", "active"))
        if i % 9 == 8:
            status = "paused"
        created = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp() * 1000)
        created -= rng.randrange(3, 30) * _DAY_MS
        budget = float(rng.randrange(20, 400) * 100)
        label = f"{theme} {start.strftime('%b %Y')}" if i >= len(CAMPAIGN_THEMES) else theme
        out.append(
            Campaign(
                index=i,
                id=_uuid(rng),
                name=label,
                start=start,
                end=end,
                status=status,
                owner=rng.choice(md.owners),
                color=CAMPAIGN_COLORS[i % len(CAMPAIGN_COLORS)],
                notes=f"{theme} aimed at {audience.lower()}.",
                audience=audience,
                budget=budget,
                spend=round(budget * rng.uniform(0.35, 1.1), 2),
                created_ms=created,
                updated_ms=min(md.anchor_ms - _DAY_MS, created + rng.randrange(1, 200) * _DAY_MS),
                revenue_base=round(budget * rng.uniform(1.5, 9.0), 2),
                deals_base=rng.randrange(4, 60),
                first_touch_share=rng.uniform(0.08, 0.3),
                last_touch_share=rng.uniform(0.05, 0.2),
            )
        )
    return out


_NAME_SUFFIX = {
    "BATCH_EMAIL": "",
    "AUTOMATED_EMAIL": " (workflow)",
    "AB_EMAIL": " (A/B test)",
    "RSS_EMAIL": " (RSS)",
}
_EMAIL_KINDS = (  # (type, subcategory, weight)
    ("BATCH_EMAIL", "batch", 0.6),
    ("AUTOMATED_EMAIL", "automated", 0.25),
    ("AB_EMAIL", "ab_master", 0.1),
    ("RSS_EMAIL", "rss_to_email", 0.05),
)


def _build_emails(rng: random.Random, md: MarketingData, n: int) -> list[MarketingEmail]:
    out = []
    next_id = rng.randrange(60_000_000_000, 90_000_000_000)
    send_id = rng.randrange(200_000_000, 300_000_000)
    for i in range(n):
        kind, sub, _ = rng.choices(_EMAIL_KINDS, weights=[k[2] for k in _EMAIL_KINDS])[0]
        campaign = rng.choice(md.campaigns) if md.campaigns and rng.random() < 0.85 else None
        if campaign is not None:
            lo = datetime.combine(campaign.start, datetime.min.time(), timezone.utc).timestamp() * 1000
            created = int(lo) + rng.randrange(0, 20) * _DAY_MS + rng.randrange(_DAY_MS)
        else:
            created = md.start_ms + rng.randrange(0, 350 * _DAY_MS)
        created = min(created, md.anchor_ms - 3 * _DAY_MS)
        draft = rng.random() < 0.1 or i == n - 1  # the newest-numbered email is always a draft
        published = None if draft else created + rng.randrange(_DAY_MS // 4, 5 * _DAY_MS)
        if published is not None and published >= md.anchor_ms - _DAY_MS // 2:
            published, draft = None, True
        if draft:
            state = "AUTOMATED_DRAFT" if kind == "AUTOMATED_EMAIL" else "DRAFT"
        else:
            state = {"AUTOMATED_EMAIL": "AUTOMATED", "AB_EMAIL": "PUBLISHED_AB"}.get(kind, "PUBLISHED")
        topic = EMAIL_TOPICS[i % len(EMAIL_TOPICS)]
        n_sends = 2 if kind == "AB_EMAIL" else 1
        sends = [send_id + k for k in range(n_sends)]
        send_id += n_sends + rng.randrange(1, 40)
        from_name, reply_to = rng.choice(FROM_NAMES)
        updated = (published or created) + rng.randrange(0, 3 * _DAY_MS)
        out.append(
            MarketingEmail(
                index=i,
                id=str(next_id),
                name=f"{topic[0]} #{i + 1}{_NAME_SUFFIX[kind]}",
                subject=topic[1],
                type=kind,
                state=state,
                subcategory=sub,
                is_published=not draft,
                archived=rng.random() < 0.05,
                campaign=campaign,
                created_ms=created,
                updated_ms=min(updated, md.anchor_ms - 1),
                published_ms=published,
                from_name=from_name,
                reply_to=reply_to,
                email_campaign_ids=sends,
                links=[
                    f"https://www.example.com{p}?utm_campaign=email-{i + 1}"
                    for p in rng.sample(LINK_PATHS, 3)
                ],
                open_rate=rng.uniform(0.18, 0.48),
                click_rate=rng.uniform(0.08, 0.3),
                audience_share=rng.uniform(0.3, 0.9) if kind != "AUTOMATED_EMAIL" else rng.uniform(0.05, 0.2),
            )
        )
        next_id += rng.randrange(1_000, 90_000)
        if campaign is not None:
            campaign.emails.append(out[-1])
    return out


def _send_plans(md: MarketingData, n_contacts: int) -> list[SendPlan]:
    """Who each send goes to and when; total recipients capped by ``RECIPIENT_BUDGET``."""
    sent = [e for e in md.emails if e.published_ms is not None]
    wanted = sum(int(e.audience_share * n_contacts) for e in sent) or 1
    scale = min(1.0, RECIPIENT_BUDGET / wanted)
    plans = []
    for e in sent:
        rng = random.Random(f"{md.seed}:audience:{e.id}")
        size = min(n_contacts, int(e.audience_share * n_contacts * scale))
        audience = sorted(rng.sample(range(n_contacts), size)) if size else []
        automated = e.type == "AUTOMATED_EMAIL"
        assert e.published_ms is not None
        spread = (md.anchor_ms - e.published_ms) if automated else 0
        for k, send in enumerate(e.email_campaign_ids):
            recipients = audience[k :: len(e.email_campaign_ids)]  # A/B: alternate recipients
            rate = e.open_rate * (1.08 if k == 1 else 1.0)
            plans.append(
                SendPlan(
                    e.index,
                    send,
                    e.published_ms,
                    spread,
                    recipients,
                    rate,
                    e.click_rate,
                    len(e.links),
                    md.anchor_ms,
                )
            )
    return plans


def _build_forms(rng: random.Random, md: MarketingData, n: int) -> list[Form]:
    """``n`` forms cycling through ``FORM_KINDS`` (their types and which are archived). An archived
    form was archived within the last 3 months (HubSpot deletes the definition after that)."""
    out = []
    for i in range(n):
        name, fields, slug, form_type, archived = FORM_KINDS[i % len(FORM_KINDS)]
        if i >= len(FORM_KINDS):
            name = f"{name} {i // len(FORM_KINDS) + 1}"
        created = md.start_ms - rng.randrange(0, 200) * _DAY_MS + rng.randrange(0, 200) * _DAY_MS
        campaign = md.campaigns[i % len(md.campaigns)] if md.campaigns and i % 3 != 2 else None
        updated = created + rng.randrange(0, 120) * _DAY_MS
        archived_ms = None
        if archived:  # its own generator, so archiving moves no other form's data
            when = random.Random(f"{md.seed}:form-archived:{i}")
            archived_ms = md.anchor_ms - when.randrange(10, 85) * _DAY_MS - when.randrange(_DAY_MS)
            archived_ms = max(archived_ms, created + _DAY_MS)
            updated = archived_ms
        form = Form(
            index=i,
            id=_uuid(rng),
            name=name,
            form_type=form_type,
            fields=list(fields),
            created_ms=created,
            updated_ms=updated,
            archived=archived,
            archived_ms=archived_ms,
            campaign=campaign,
            page_url=f"https://www.example.com/{slug}",
            weight=rng.uniform(0.5, 2.0),
        )
        out.append(form)
        if campaign is not None:
            campaign.forms.append(form)
    return out


def _build_submissions(md: MarketingData, n_contacts: int) -> dict[str, list[Submission]]:
    """About one submission per four contacts over all forms; ~12 % from unknown addresses."""
    total_weight = sum(f.weight for f in md.forms) or 1.0
    target = max(40, n_contacts // 4)
    out: dict[str, list[Submission]] = {}
    for form in md.forms:
        rng = random.Random(f"{md.seed}:submissions:{form.id}")
        count = int(target * form.weight / total_weight)
        first = max(form.created_ms, md.start_ms)
        last = form.archived_ms or md.anchor_ms  # archiving stops new submissions
        subs = []
        for _ in range(count):
            when = first + rng.randrange(max(1, last - first))
            known = n_contacts > 0 and rng.random() >= 0.12
            contact = rng.randrange(n_contacts) if known else -1
            subs.append(Submission(when, contact, rng.randrange(1_000_000), _uuid(rng)))
        subs.sort(key=lambda s: (s.submitted_ms, s.conversion_id), reverse=True)
        out[form.id] = subs
    return out
