"""The sandbox's small web layer: requests, responses, HubSpot-style errors and the route table.

Endpoint modules (oauth, crm, marketing, control) declare their routes on a ``Router``::

    router = Router()

    @router.route("GET", "/crm/v3/objects/{object_type}", scopes=CRM_READ, limit="burst")
    def list_objects(sb, req):
        ...
        return Response.json(body, records=len(results))

A handler gets the running ``Sandbox`` and the ``Request``; it returns a ``Response`` (or a dict/list,
sent as JSON 200) or raises ``ApiError``, which becomes HubSpot's error body. The server does the
rest: authentication and scope checks (``scopes``), rate limits (``limit``), latency and faults.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Handler = Callable[[Any, "Request"], Any]


class ApiError(Exception):
    """An error answered as HubSpot's JSON error body.

    ``category`` follows HubSpot (``VALIDATION_ERROR``, ``OBJECT_NOT_FOUND``, ``MISSING_SCOPES``,
    ``EXPIRED_AUTHENTICATION``, ``INVALID_AUTHENTICATION``, ``RATE_LIMITS`` …); ``extra`` keys are
    merged into the body (``context``, ``errors``, ``subCategory``, ``policyName`` …).
    """

    def __init__(
        self,
        status: int,
        message: str,
        category: str = "VALIDATION_ERROR",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        body.update(self.extra)
        return body

    def response(self) -> Response:
        resp = Response.json(self.body(), status=self.status)
        resp.headers.update(self.headers)
        return resp


def missing_scopes(scopes: tuple[str, ...] | list[str]) -> ApiError:
    """HubSpot's 403 for a token that lacks every one of ``scopes``."""
    return ApiError(
        403,
        "This app hasn't been granted all required scopes to make this call.",
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": list(scopes)},
            }
        ],
    )


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    records: int = 0  # records returned, for the per-record latency knob

    @classmethod
    def json(cls, data: Any, status: int = 200, records: int = 0) -> Response:
        payload = json.dumps(data, separators=(",", ":")).encode()
        return cls(status=status, body=payload, records=records)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status=status, body=text.encode(), content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(status=302, headers={"Location": location}, content_type="text/plain")

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        return cls(status=status, content_type="text/plain")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # email.message.Message-like: .get(name)
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)
    token: Any = None  # the sandbox's record of the bearer token, set by the server's auth check

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeatable or comma-separated parameter (``a=x&a=y`` or ``a=x,y``)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def int_arg(self, name: str, default: int, maximum: int | None = None, minimum: int = 1) -> int:
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, f"Invalid value for '{name}': '{raw[:40]}' is not an integer.") from None
        if value < minimum or (maximum is not None and value > maximum):
            limit = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ApiError(400, f"Invalid value for '{name}': {value}; it must be {limit}.")
        return value

    def bool_arg(self, name: str, default: bool = False) -> bool:
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise ApiError(400, f"Invalid value for '{name}': '{raw[:40]}' is not true or false.")

    def json(self) -> Any:
        """The body as JSON; malformed JSON is HubSpot's 400, never a 500."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Invalid input JSON on line 1: the request body is not valid JSON.") from None

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body (last value wins)."""
        try:
            parsed = parse_qs(self.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError(400, "The request body is not valid form data.") from None
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler
    scopes: tuple[str, ...] | None  # None: no bearer token needed; () = any valid token
    limit: str | None  # "burst", "search", "token" (the OAuth token endpoints' bucket) or None


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        pattern: str,
        *,
        scopes: tuple[str, ...] | None = None,
        limit: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler. ``{name}`` in the pattern matches one path segment."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, pattern, regex, handler, scopes, limit))
            return handler

        return register

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for ``method path``; raises ApiError 404/405 in HubSpot's shape."""
        allowed = False
        for route in self.routes:
            m = route.regex.match(path)
            if m:
                if route.method == method:
                    return route, m.groupdict()
                allowed = True
        if allowed:
            raise ApiError(405, f"Method {method} is not allowed on {path}.", "VALIDATION_ERROR")
        raise ApiError(404, f"No endpoint at {path}.", "OBJECT_NOT_FOUND")
