"""Contact properties HubSpot rolls up from marketing data: the ``hs_email_*`` engagement counters and
dates (from the contact's e-mail events) and the conversion properties (from its form submissions).

The CRM does not import the marketing package: it declares what it needs (``EngagementSource``) and
the sandbox's ``app`` attaches the marketing data to the portal (``Portal.attach_engagement``). The
roll-ups are asked for on first use (building the events log takes a second or two) and kept; until a
source is attached these properties are unset, as on a portal that never sent e-mail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from ._columns import LazyColumn

# Contact properties rolled up from e-mail events / form submissions, as the marketing data computes them.
EMAIL_ROLLUPS = (
    "hs_email_delivered", "hs_email_open", "hs_email_click", "hs_email_bounce", "hs_email_first_send_date",
    "hs_email_last_send_date", "hs_email_first_open_date", "hs_email_last_open_date",
    "hs_email_first_click_date", "hs_email_last_click_date", "hs_email_last_email_name",
    "hs_email_sends_since_last_engagement", "hs_email_hard_bounce_reason_enum", "hs_email_bad_address",
)  # fmt: skip
CONVERSION_ROLLUPS = (
    "first_conversion_date", "first_conversion_event_name", "recent_conversion_date",
    "recent_conversion_event_name", "num_conversion_events", "num_unique_conversion_events",
)  # fmt: skip
ROLLUPS = EMAIL_ROLLUPS + CONVERSION_ROLLUPS


class EngagementSource(Protocol):
    """What the portal's roll-ups are computed from (``marketing.MarketingData`` is one)."""

    def contact_rollups(self) -> Mapping[str, Mapping[str, str]]:
        """Property name (one of ``ROLLUPS``) → contact id → value as HubSpot sends it; contacts
        missing from a mapping have the property unset."""
        ...


class EngagementLink:
    """The portal's hold on its engagement source; the roll-up columns read through it."""

    def __init__(self) -> None:
        self.source: EngagementSource | None = None
        self._tables: Mapping[str, Mapping[str, str]] | None = None
        self._lock = threading.Lock()

    def attach(self, source: EngagementSource) -> None:
        with self._lock:
            self.source, self._tables = source, None

    def table(self, name: str) -> Mapping[str, str]:
        tables = self._tables
        if tables is None:
            source = self.source
            if source is None:
                return {}
            tables = source.contact_rollups()  # outside our lock: it may take a while, and is idempotent
            with self._lock:
                self._tables = tables
        return tables.get(name, {})

    def column(self, name: str, id_of: Callable[[int], str]) -> LazyColumn:
        """The roll-up ``name`` of record ``i`` (whose id is ``id_of(i)``)."""
        return LazyColumn(lambda i: self.table(name).get(id_of(i)))
