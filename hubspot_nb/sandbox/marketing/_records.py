"""The marketing records the routes serve: campaigns, marketing emails, forms and form submissions
(built by ``_data``, rendered by ``_json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Campaign:
    index: int
    id: str  # UUID, HubSpot's campaignGuid
    name: str
    start: date
    end: date
    status: str
    owner: str
    color: str
    notes: str
    audience: str
    budget: float
    spend: float
    created_ms: int
    updated_ms: int
    revenue_base: float  # LINEAR-model revenue over the campaign's life
    deals_base: int
    first_touch_share: float  # share of influenced contacts that were new (first touch)
    last_touch_share: float
    emails: list[MarketingEmail] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)

    def properties(self) -> dict[str, str]:
        """Every campaign property, as HubSpot sends them (strings)."""
        return {
            "hs_name": self.name,
            "hs_start_date": self.start.isoformat(),
            "hs_end_date": self.end.isoformat(),
            "hs_notes": self.notes,
            "hs_audience": self.audience,
            "hs_goal": "Generate qualified leads",
            "hs_currency_code": "USD",
            "hs_campaign_status": self.status,
            "hs_owner": self.owner,
            "hs_color_hex": self.color,
            "hs_budget_items_sum_amount": f"{self.budget:.2f}",
            "hs_spend_items_sum_amount": f"{self.spend:.2f}",
            "hs_created_by_user_id": self.owner,
            "hs_object_id": self.id,
            "hs_utm": self.name.lower().replace(" ", "-"),
        }


@dataclass
class MarketingEmail:
    index: int
    id: str  # numeric string, like HubSpot's
    name: str
    subject: str
    type: str  # BATCH_EMAIL, AUTOMATED_EMAIL, AB_EMAIL, RSS_EMAIL
    state: str
    subcategory: str
    is_published: bool
    archived: bool
    campaign: Campaign | None
    created_ms: int
    updated_ms: int
    published_ms: int | None
    from_name: str
    reply_to: str
    email_campaign_ids: list[int]  # legacy emailCampaignIds (sends); A/B emails have two
    links: list[str]
    open_rate: float
    click_rate: float
    audience_share: float


@dataclass
class Form:
    index: int
    id: str  # UUID, HubSpot's form GUID
    name: str
    form_type: str  # hubspot, captured, flow (pop-up) or blog_comment
    fields: list[str]
    created_ms: int
    updated_ms: int
    archived: bool
    archived_ms: int | None  # when it was archived: its submissions end there
    campaign: Campaign | None
    page_url: str
    weight: float  # share of all submissions


@dataclass
class Submission:
    submitted_ms: int
    contact: int  # index into the contact snapshot, or -1 for an address not in the CRM
    visitor: int  # the non-CRM visitor's number (when contact == -1)
    conversion_id: str
