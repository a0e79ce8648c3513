"""Parsing the marketing endpoints' query parameters into HubSpot-style 400s (never 500s), the
opaque paging cursors they hand out, and the pages those cursors walk."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import Any, Protocol

from ..routing import ApiError, Request, Response
from ._data import MarketingData


class MarketingHost(Protocol):
    """What the marketing routes read from the sandbox they serve (``app.Sandbox`` is one)."""

    @property
    def marketing(self) -> MarketingData: ...


# Scopes (any one suffices), from HubSpot's specs and docs (reference §1.10).
EMAIL_SCOPES = ("content", "marketing.email.read")
# 2026-09's marketing-email spec accepts only ``content`` (v3 and 2026-03 also marketing.email.*).
EMAIL_SCOPES_BY_VERSION = {"2026-09": ("content",)}
EVENT_SCOPES = ("content",)
CAMPAIGN_SCOPES = ("marketing.campaigns.read",)
REVENUE_SCOPES = (
    "marketing.campaigns.revenue.read",
    "marketing.campaigns.revenue.lite.read",
    "marketing.campaigns.revenue.full.read",
)
# 2026-09's campaigns spec accepts only ``marketing.campaigns.revenue.read`` for reports/revenue.
REVENUE_SCOPES_BY_VERSION = {"2026-09": ("marketing.campaigns.revenue.read",)}
FORM_SCOPES = ("forms",)
SUBMISSION_SCOPES = ("forms", "forms-uploaded-files")
ANALYTICS_SCOPES = ("business-intelligence",)


def iso_ms_arg(req: Request, name: str) -> int | None:
    """An ISO 8601 date or date-time parameter as ms epoch (naive = UTC); absent → None."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        raise ApiError(
            400,
            f"Invalid value for '{name}': '{raw[:40]}' is not an ISO 8601 timestamp "
            "(use e.g. 2026-05-01T00:00:00Z).",
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def epoch_ms_arg(req: Request, name: str) -> int | None:
    """A ms-epoch integer parameter; absent → None."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(
            400,
            f"Invalid value for '{name}': '{raw[:40]}' is not a timestamp in milliseconds since the epoch.",
        ) from None


def ymd_arg(req: Request, name: str, *, dashed: bool) -> date | None:
    """A date parameter: ``YYYY-MM-DD`` (``dashed``) or ``YYYYMMDD``; absent → None."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        if dashed:
            return date.fromisoformat(raw)
        if len(raw) != 8 or not raw.isdigit():
            raise ValueError
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        form = "YYYY-MM-DD" if dashed else "YYYYMMDD"
        raise ApiError(
            400, f"Invalid value for '{name}': '{raw[:40]}' is not a date in the form {form}."
        ) from None


def check_window(start: Any, end: Any, names: str) -> None:
    """400 when both bounds (ms epochs or dates) are given and the end comes first."""
    if start is not None and end is not None and end < start:
        raise ApiError(400, f"Invalid time span: the end is before the start ({names}).")


def encode_cursor(position: int) -> str:
    """An opaque cursor for a position in a fixed ordering."""
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def decode_cursor(req: Request, name: str) -> int | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if not text.startswith("p:"):
            raise ValueError
        position = int(text[2:])
        if position < 0:
            raise ValueError
        return position
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400,
            f"Invalid value for '{name}': '{raw[:40]}' is not a paging cursor from this API. "
            "Pass the value from the previous page unchanged.",
        ) from None


def next_paging(req: Request, position: int) -> dict[str, Any]:
    """``{"next": {"after", "link"}}`` for cursor paging."""
    after = encode_cursor(position)
    return {"next": {"after": after, "link": f"{req.path}?after={after}"}}


def cursor_page(
    req: Request,
    items: Sequence[Any],
    start: int,
    limit: int,
    render: Callable[[Any], Any] = lambda item: item,
    *,
    total: bool = False,
) -> Response:
    """The page of ``items`` (filtered and ordered already) from position ``start``: each rendered,
    the ``total`` first when the endpoint reports one, and ``paging.next`` while more remain."""
    page = items[start : start + limit]
    body: dict[str, Any] = {"total": len(items)} if total else {}
    body["results"] = [render(item) for item in page]
    if start + limit < len(items):
        body["paging"] = next_paging(req, start + limit)
    return Response.json(body, records=len(page))


def choice_arg(req: Request, name: str, valid: tuple[str, ...], default: str | None = None) -> str | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    value = raw.upper()
    if value not in valid:
        raise ApiError(400, f"Invalid value for '{name}': '{raw[:40]}'; valid values: {', '.join(valid)}.")
    return value
