"""Pure helpers that shape HubSpot's marketing JSON into rows for typed frames (no HTTP here); the
typing itself is the frames package's (``frames.convert.typed_frame``, ``frames.assembly.assemble_pages``).

Naming rule for every marketing frame:

* a field HubSpot sends keeps HubSpot's spelling (``createdAt``, ``submittedAt``, ``recipient``,
  ``emailCampaignId``, ``campaignName``);
* nested objects are flattened with ``_`` (``browser.name`` → ``browser_name``,
  ``location.city`` → ``location_city``, ``sentBy.id`` → ``sentBy_id``);
* columns hubspot_nb computes or renames are snake_case (``open_rate``, ``open_device_mobile``,
  ``contact_id``, ``archived``, ``new_contacts_first_touch``).

E-mail statistics (HubSpot's ``EmailStatisticsData``) become, in this order:

* counters, named as HubSpot names them, nullable integers: ``sent, delivered, open, click,
  bounce, hardbounced, softbounced, unsubscribed, spamreport, dropped, notsent, pending,
  selected, suppressed, contactslost, reply`` (plus any other counter HubSpot sends);
* ratios as **fractions 0–1** (HubSpot sends percentages; we divide by 100), nullable floats:
  ``open_rate`` (opens / delivered), ``click_rate`` (clicks / delivered), ``click_through_rate``
  (clicks / opens), ``delivered_rate``, ``bounce_rate``, ``hard_bounce_rate``,
  ``soft_bounce_rate``, ``unsubscribed_rate``, ``spam_report_rate``, ``not_sent_rate``,
  ``pending_rate``, ``contacts_lost_rate``, ``reply_rate`` (any other ``xratio`` → ``x_rate``);
* device breakdown, nullable integers: ``open_device_computer``, ``open_device_mobile``,
  ``open_device_unknown``, ``click_device_computer``, ``click_device_mobile``,
  ``click_device_unknown`` (from ``deviceBreakdown.open_device_type`` …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import InvalidInput
from ..frames.convert import FLOAT, INT

COUNTERS = (
    "sent",
    "delivered",
    "open",
    "click",
    "bounce",
    "hardbounced",
    "softbounced",
    "unsubscribed",
    "spamreport",
    "dropped",
    "notsent",
    "pending",
    "selected",
    "suppressed",
    "contactslost",
    "reply",
)
RATIOS = {
    "openratio": "open_rate",
    "clickratio": "click_rate",
    "clickthroughratio": "click_through_rate",
    "deliveredratio": "delivered_rate",
    "bounceratio": "bounce_rate",
    "hardbounceratio": "hard_bounce_rate",
    "softbounceratio": "soft_bounce_rate",
    "unsubscribedratio": "unsubscribed_rate",
    "spamreportratio": "spam_report_rate",
    "notsentratio": "not_sent_rate",
    "pendingratio": "pending_rate",
    "contactslostratio": "contacts_lost_rate",
    "replyratio": "reply_rate",
}
DEVICE_KINDS = ("open", "click")
DEVICES = ("computer", "mobile", "unknown")
STAT_COLUMNS: tuple[str, ...] = (
    *COUNTERS,
    *RATIOS.values(),
    *(f"{kind}_device_{device}" for kind in DEVICE_KINDS for device in DEVICES),
)


# -- inputs ------------------------------------------------------------------------------------------
def to_utc(value: Any, name: str = "time") -> pd.Timestamp:
    """A user-given instant as a UTC Timestamp: datetime, date, ISO string, pandas Timestamp or
    milliseconds since the epoch. Naive values are taken as UTC."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{name} must be a date or time, not {value!r}.")
    try:
        if isinstance(value, (int, float)):
            ts = pd.Timestamp(int(value), unit="ms")
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            ts = pd.Timestamp(value.year, value.month, value.day)
        else:
            ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:  # OverflowError: an infinite number
        raise InvalidInput(
            f"{name}={value!r} is not a date or time I understand ({exc}). "
            "Use a datetime, a date, an ISO string like '2025-01-31' or '2025-01-31T12:00:00Z'."
        ) from None
    if pd.isna(ts):
        raise InvalidInput(f"{name} must be a date or time, not {value!r}.")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_ms(ts: pd.Timestamp) -> int:
    """Milliseconds since the epoch (what HubSpot's legacy APIs take)."""
    return int(ts.value // 1_000_000)


def to_iso(ts: pd.Timestamp) -> str:
    """``2025-01-31T12:00:00.000Z`` (what HubSpot's v3 APIs take)."""
    return f"{ts:%Y-%m-%dT%H:%M:%S}.{ts.microsecond // 1000:03d}Z"


def choose(value: str, valid: Iterable[str], name: str) -> str:
    """``value`` if it is one of ``valid`` (case-insensitively, returned as spelled in ``valid``)."""
    options = list(valid)
    for option in options:
        if str(value).lower() == option.lower():
            return option
    raise InvalidInput(f"Unknown {name} {value!r}. Valid values: {', '.join(options)}.")


# -- flattening ----------------------------------------------------------------------------------------
def flatten(record: Mapping[str, Any], prefix: str = "", skip: Iterable[str] = ()) -> dict[str, Any]:
    """Nested dicts flattened with ``_`` (``{"browser": {"name": x}}`` → ``{"browser_name": x}``).
    Lists are kept as they are; keys in ``skip`` (top level only) are left out."""
    out: dict[str, Any] = {}
    skipped = set(skip)
    for key, value in record.items():
        if not prefix and key in skipped:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}_"))
        else:
            out[name] = value
    return out


def stats_columns(stats: Mapping[str, Any] | None) -> dict[str, Any]:
    """HubSpot's ``EmailStatisticsData`` as flat columns (names in the module docstring).

    Missing statistics give missing values (not zeros): "HubSpot did not say" is not "nothing".
    """
    out: dict[str, Any] = dict.fromkeys(STAT_COLUMNS)
    if not stats:
        return out
    for name, value in (stats.get("counters") or {}).items():
        out[name] = value
    for name, value in (stats.get("ratios") or {}).items():
        column = RATIOS.get(name) or f"{name.removesuffix('ratio')}_rate"
        out[column] = None if value is None else float(value) / 100.0
    for group, counts in (stats.get("deviceBreakdown") or {}).items():
        kind = group.removesuffix("_type")  # open_device_type → open_device
        for device, value in (counts or {}).items():
            out[f"{kind}_{str(device).lower()}"] = value
    return out


def stat_kinds(columns: Iterable[str]) -> dict[str, str]:
    """Kinds for columns that came out of ``stats_columns``: ratios float, counters integer."""
    return {c: (FLOAT if c.endswith("_rate") else INT) for c in columns}
