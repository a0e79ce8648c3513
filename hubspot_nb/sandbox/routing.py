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

One operation, several API versions: HubSpot serves the same data under its legacy numbered paths
(``/crm/v3/…``) and its date-versioned ones (``/crm/objects/2026-09/…``). A route declares the
dated template once and gets one ``Route`` per version in ``DATED_VERSIONS`` (or ``versions``),
all answered by the same handler; ``req.version`` says which one was called, so the handler can
answer as that version's spec says, and ``version_scopes`` sets the scopes where a version differs::

    @router.route("GET", "/marketing/v3/emails", dated="/marketing/emails/{version}",
                  scopes=("content", "marketing.email.read"), version_scopes={"2026-09": ("content",)})

``Router.api`` is that call for the usual case, the dated template derived (``dated_twin``) and the
``burst`` limit by default: ``@router.api("GET", "/crm/v3/owners/{owner_id}", scopes=OWNER_SCOPES)``.

Every route knows the version its path names (``v3``, ``2026-09``, ``2026-09-beta``; None for the
sandbox's own pages and controls), and the server counts requests per route and per version.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Handler = Callable[[Any, "Request"], Any]

# The date versions served beside each legacy path: 2026-03 (the first GA one) and 2026-09 (current).
DATED_VERSIONS = ("2026-03", "2026-09")
_VERSION_SEGMENT = re.compile(r"v\d+|\d{4}-\d{2}(?:-beta)?")
_DATED = re.compile(r"\d{4}-\d{2}(?:-beta)?")


def path_version(pattern: str) -> str | None:
    """The API version a path names: ``v3`` for ``/crm/v3/owners``, ``2026-09`` for
    ``/crm/owners/2026-09``, ``2026-09-beta``; None for unversioned paths (pages, controls)."""
    for segment in pattern.split("/"):
        if _VERSION_SEGMENT.fullmatch(segment):
            return segment
    return None


def partial_failure_status(version: str | None) -> int:
    """The status of a batch answer that carries ``errors``: 207 where the version's spec declares it
    (v3, v4, 2026-03); from 2026-09 on the specs declare no 207, the errors come in a 200 body."""
    return 200 if is_dated(version) and str(version) >= "2026-09" else 207


def is_dated(version: str | None) -> bool:
    """True for HubSpot's date versions (``2026-09``, ``2026-09-beta``), False for v1–v4 and None."""
    return version is not None and _DATED.fullmatch(version) is not None


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
    version: str | None = None  # the API version of the route that answers (``v3``, ``2026-09`` …)
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
    version: str | None = None  # the API version its path names (path_version)


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        pattern: str,
        *,
        dated: str | None = None,
        versions: tuple[str, ...] = DATED_VERSIONS,
        scopes: tuple[str, ...] | None = None,
        version_scopes: Mapping[str, tuple[str, ...]] | None = None,
        limit: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler under ``pattern`` and, with ``dated`` (a template holding
        ``{version}``), under that template for each of ``versions``. ``{name}`` in a pattern
        matches one path segment. ``version_scopes`` replaces ``scopes`` for the versions it names."""
        patterns = [pattern]
        if dated is not None:
            if "{version}" not in dated:
                raise ValueError(f"dated path {dated!r} has no {{version}} placeholder")
            patterns += [dated.replace("{version}", v) for v in versions]
        unknown = set(version_scopes or ()) - {path_version(p) for p in patterns}
        if unknown:
            raise ValueError(
                f"version_scopes names versions {sorted(unknown)} that {pattern} is not served in"
            )

        def register(handler: Handler) -> Handler:
            for p in patterns:
                version = path_version(p)
                chosen = (version_scopes or {}).get(version or "", scopes)
                self.routes.append(Route(method, p, _regex(p), handler, chosen, limit, version))
            return handler

        return register

    def api(
        self,
        method: str,
        pattern: str,
        *,
        scopes: tuple[str, ...],
        version_scopes: Mapping[str, tuple[str, ...]] | None = None,
        limit: str = "burst",
        slash: bool = False,
    ) -> Callable[[Handler], Handler]:
        """``route`` for a HubSpot API operation: its legacy path and its dated twin (``dated_twin``)
        for each of ``DATED_VERSIONS``; with ``slash`` also the legacy path with the trailing slash
        the official SDKs add (``/marketing/v3/emails/``; legacy only, no dated twin)."""
        dated = self.route(
            method,
            pattern,
            dated=dated_twin(pattern),
            scopes=scopes,
            version_scopes=version_scopes,
            limit=limit,
        )
        slashed = self.route(method, pattern + "/", scopes=scopes, limit=limit) if slash else None

        def register(handler: Handler) -> Handler:
            dated(handler)
            return slashed(handler) if slashed is not None else handler

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


def dated_twin(pattern: str) -> str:
    """The date-versioned template HubSpot serves beside a legacy path: the version moves behind the
    API family, ``/crm/v3/owners/{owner_id}`` → ``/crm/owners/{version}/{owner_id}``,
    ``/crm/v4/associations/…`` → ``/crm/associations/{version}/…``."""
    root, legacy, family, *rest = pattern.lstrip("/").split("/")
    if not re.fullmatch(r"v\d+", legacy):
        raise ValueError(f"{pattern!r} names no legacy version (v3, v4) as its second segment")
    return "/" + "/".join([root, family, "{version}", *rest])


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
