"""Website traffic for the legacy analytics v2 reports: per day and source, deterministic per seed.

Stored: one row of integer counts per (day, source) for the 365 days before the data anchor
(about 3,300 rows). Reports sum rows over the requested days; the geolocation and UTM-campaign
breakdowns split each day's totals by fixed shares. Rates are **percentages** (``bounceRate`` 42.5
means 42.5 %), like the v3 email ratios; ``timePerSession``/``timePerPageview`` are seconds.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from ._words import LOCATIONS

# HubSpot's source breakdown names, with (daily visits at the start, growth over the year).
SOURCES = (
    ("ORGANIC", 420, 0.35),
    ("PAID_SEARCH", 130, 0.1),
    ("SOCIAL_MEDIA", 90, 0.2),
    ("EMAIL_MARKETING", 70, 0.15),
    ("DIRECT_TRAFFIC", 260, 0.1),
    ("REFERRALS", 80, 0.05),
    ("OTHER_CAMPAIGNS", 25, 0.0),
    ("PAID_SOCIAL", 55, 0.3),
    ("OFFLINE", 12, 0.0),
)
# Stored counts per (day, source), in this order.
COUNTS = (
    "visits",
    "visitors",
    "rawViews",
    "newVisits",
    "bounces",
    "time",
    "leads",
    "contacts",
    "subscribers",
    "marketingQualifiedLeads",
    "salesQualifiedLeads",
    "opportunities",
    "customers",
    "ctaViews",
    "submissions",
)
_N = len(COUNTS)
_IDX = {name: i for i, name in enumerate(COUNTS)}


class Traffic:
    def __init__(self, seed: int, anchor: date, campaign_names: list[str]) -> None:
        self.first_day = anchor - timedelta(days=365)
        self.last_day = anchor - timedelta(days=1)
        self.rows: list[list[list[int]]] = []  # day → source → counts
        rng = random.Random(f"{seed}:traffic")
        for d in range(365):
            day = self.first_day + timedelta(days=d)
            weekday = 0.72 if day.weekday() >= 5 else 1.0
            season = 1.0 + 0.12 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
            per_source = []
            for _name, base, growth in SOURCES:
                visits = int(base * (1 + growth * d / 365) * weekday * season * rng.uniform(0.8, 1.2))
                per_source.append(_day_counts(rng, visits))
            self.rows.append(per_source)
        countries = sorted({loc[0] for loc in LOCATIONS})
        self.geo = [(c, rng.uniform(0.2, 1.0) * (4 if c == "United States" else 1)) for c in countries]
        self.utm = [(n.lower().replace(" ", "-"), rng.uniform(0.2, 1.0)) for n in campaign_names]

    def days(self, start: date, end: date) -> list[date]:
        """The days in ``[start, end]`` (inclusive) that have data."""
        lo, hi = max(start, self.first_day), min(end, self.last_day)
        return [lo + timedelta(days=k) for k in range((hi - lo).days + 1)] if lo <= hi else []

    def breakdown(self, by: str, days: list[date]) -> list[tuple[str, list[int]]]:
        """(breakdown name, summed counts) for the days, largest ``visits`` first."""
        totals: dict[str, list[int]] = {}
        for day in days:
            per_source = self.rows[(day - self.first_day).days]
            if by == "sources":
                parts = [(SOURCES[k][0], counts) for k, counts in enumerate(per_source)]
            else:
                day_total = _sum_counts(per_source)
                if by == "totals":
                    parts = [("totals", day_total)]
                else:
                    shares = self.geo if by == "geolocation" else self.utm
                    parts = _split(day_total, shares)
            for name, counts in parts:
                acc = totals.setdefault(name, [0] * _N)
                for i, v in enumerate(counts):
                    acc[i] += v
        return sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))


def metrics(counts: list[int]) -> dict[str, float | int]:
    """The report's metric fields for summed counts (HubSpot v2 names)."""
    c = dict(zip(COUNTS, counts, strict=True))
    visits, views = c["visits"], c["rawViews"]

    def pct(a: int, b: int) -> float:
        return round(100.0 * a / b, 4) if b else 0.0

    return {
        "rawViews": views,
        "visits": visits,
        "visitors": c["visitors"],
        "leads": c["leads"],
        "contacts": c["contacts"],
        "subscribers": c["subscribers"],
        "marketingQualifiedLeads": c["marketingQualifiedLeads"],
        "salesQualifiedLeads": c["salesQualifiedLeads"],
        "opportunities": c["opportunities"],
        "customers": c["customers"],
        "pageviewsPerSession": round(views / visits, 4) if visits else 0.0,
        "bounceRate": pct(c["bounces"], visits),
        "timePerSession": round(c["time"] / visits, 2) if visits else 0.0,
        "newVisitorSessionRate": pct(c["newVisits"], visits),
        "sessionToContactRate": pct(c["contacts"], visits),
        "contactToCustomerRate": pct(c["customers"], c["contacts"]),
        "ctaViews": c["ctaViews"],
        "submissions": c["submissions"],
        "entrances": visits,
        "exits": visits,
        "timePerPageview": round(c["time"] / views, 2) if views else 0.0,
        "pageBounceRate": pct(c["bounces"], views),
        "exitsPerPageview": round(visits / views, 4) if views else 0.0,
    }


def _day_counts(rng: random.Random, visits: int) -> list[int]:
    def part(whole: float, lo: float, hi: float) -> int:
        # random rounding keeps small daily funnels (customers…) from always rounding to zero
        return int(whole * rng.uniform(lo, hi) + rng.random())

    views = part(visits, 1.4, 2.6)
    contacts = part(visits, 0.02, 0.05)
    leads = part(contacts, 0.5, 0.9)
    mqls = part(leads, 0.3, 0.6)
    sqls = part(mqls, 0.3, 0.6)
    opps = part(sqls, 0.4, 0.8)
    return [
        visits,
        part(visits, 0.78, 0.92),
        views,
        part(visits, 0.55, 0.75),
        part(visits, 0.35, 0.6),
        part(visits, 60, 150),
        leads,
        contacts,
        part(contacts, 0.1, 0.4),
        mqls,
        sqls,
        opps,
        part(opps, 0.3, 0.6),
        part(views, 0.05, 0.15),
        part(contacts, 1.0, 1.4),
    ]


def _sum_counts(rows: list[list[int]]) -> list[int]:
    return [sum(col) for col in zip(*rows, strict=True)]


def _split(total: list[int], shares: list[tuple[str, float]]) -> list[tuple[str, list[int]]]:
    """Split integer counts by shares so the parts add up exactly (largest remainder)."""
    if not shares:
        return []
    weight = sum(s for _, s in shares)
    parts: list[list[int]] = [[0] * _N for _ in shares]
    for i, value in enumerate(total):
        exact = [value * s / weight for _, s in shares]
        floors = [int(x) for x in exact]
        left = value - sum(floors)
        by_rest = sorted(range(len(shares)), key=lambda k: exact[k] - floors[k], reverse=True)
        for k in by_rest[:left]:
            floors[k] += 1
        for k, v in enumerate(floors):
            parts[k][i] = v
    return [(name, parts[k]) for k, (name, _) in enumerate(shares)]
