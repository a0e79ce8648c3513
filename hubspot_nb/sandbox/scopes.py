"""The HubSpot scope names the sandbox knows, and how settings spell a list of them.

Core module: ``config`` validates the built-in app's configured scopes and the portal's available
scopes against ``KNOWN_SCOPES``; the OAuth pages refuse any other name, as HubSpot does ("An invalid
scope name was provided"). Every scope a route declares must be listed here (``app`` checks).
"""

from __future__ import annotations

from collections.abc import Iterable

KNOWN_SCOPES = frozenset(
    [
        "oauth",
        *(
            f"crm.objects.{obj}.{mode}"
            for obj in ("contacts", "companies", "deals", "tickets", "custom", "owners", "line_items")
            for mode in ("read", "write")
        ),
        *(
            f"crm.schemas.{obj}.{mode}"
            for obj in ("contacts", "companies", "deals", "tickets", "custom", "line_items")
            for mode in ("read", "write")
        ),
        "crm.lists.read",
        "crm.lists.write",
        "content",
        "marketing.email.read",
        "marketing-email",
        "transactional-email",
        "marketing.campaigns.read",
        "marketing.campaigns.write",
        "marketing.campaigns.revenue.read",
        "marketing.campaigns.revenue.lite.read",
        "marketing.campaigns.revenue.full.read",
        "forms",
        "forms-uploaded-files",
        "business-intelligence",
        "e-commerce",
        "tickets",  # ticket records and properties (HubSpot's specs; not crm.objects.tickets.read)
        "automation",
        "files",
        "settings.users.read",
        "settings.users.teams.read",
        # HubSpot's other standard object types (crm/_standard_types)
        *(f"crm.objects.{obj}.read" for obj in ("quotes", "leads", "goals", "feedback_submissions")),
    ]
)
ALL_SCOPES: tuple[str, ...] = tuple(sorted(KNOWN_SCOPES))


def scope_tuple(value: str | Iterable[object]) -> tuple[str, ...]:
    """``"a b,c"`` or ``["a", "b"]`` -> ``("a", "b", "c")``, in order, without repeats.

    Raises ValueError naming any scope the sandbox does not know."""
    items = value.replace(",", " ").split() if isinstance(value, str) else [str(v).strip() for v in value]
    names = tuple(dict.fromkeys(s for s in items if s))
    unknown = [s for s in names if s not in KNOWN_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope names {unknown} (the sandbox knows: {', '.join(ALL_SCOPES)})")
    return names
