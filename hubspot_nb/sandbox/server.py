"""The sandbox's HTTP server: parses requests, and around every route handler does what HubSpot's
edge does — authentication and scope checks, rate limits, latency, injected faults — and counts it.

Threaded HTTP/1.1 with keep-alive (one daemon thread per connection), so concurrent clients overlap
their latency like they would against api.hubapi.com. Each response leaves in a single write with
Nagle off: splitting headers and body costs ~40 ms per request on loopback (delayed ACKs).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from datetime import datetime, timezone
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .host import BearerToken, Host
from .limits import (
    BAD_GATEWAY_HTML,
    DAILY_HEADER,
    DAILY_REMAINING_HEADER,
    SECONDLY,
    TEN_SECONDLY,
    FaultInjector,
    RateLimiter,
    RateLimitError,
    rate_limit_error,
)
from .routing import ApiError, Request, Response, Route, missing_scopes

log = logging.getLogger("hubspot_nb.sandbox")

MAX_BODY_BYTES = 32 * 1024 * 1024
UNAUTHORIZED = {"x-hubspot-auth-failure": "401 Unauthorized"}
NO_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
    "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
# Paths that are neither rate limited, slowed down nor faulted: the sandbox's own controls and the
# pages a browser shows during login.
CONTROL_PREFIX = "/_sandbox/"
PAGE_PATHS = ("/oauth/authorize", "/oauth/callback")


class Dispatcher:
    """Turns one parsed request into a response (plus an optional transport fault)."""

    def __init__(self, sandbox: Host) -> None:
        self.sb = sandbox
        self.limiter = RateLimiter(sandbox.config, sandbox.hub_id)
        self.faults = FaultInjector(sandbox.config)

    def dispatch(self, method: str, target: str, headers: Any, body: bytes) -> tuple[Response, str | None]:
        """The response and the transport fault to apply to it (``drop``, ``truncate`` or None)."""
        self.sb.stats.incr("requests_total")
        response, fault = self._route(method, target, headers, body)
        self.sb.stats.incr("responses", key="dropped" if fault == "drop" else str(response.status))
        return response, fault

    def _route(self, method: str, target: str, headers: Any, body: bytes) -> tuple[Response, str | None]:
        stats = self.sb.stats
        if len(target) > self.sb.config.max_url_length:  # HubSpot's 414 (its exact limit: Config)
            stats.incr("requests", key="URI too long")
            message = f"The request URL is {len(target)} characters long; HubSpot refuses URLs this long."
            return ApiError(414, message, "URI_TOO_LONG").response(), None
        split = urlsplit(target)
        try:
            route, params = self.sb.router.match(method, split.path)
        except ApiError as exc:
            stats.incr("requests", key="unmatched")
            return exc.response(), None
        stats.incr("requests", key=f"{route.method} {route.pattern}")
        if route.version is not None:
            stats.incr("versions", key=route.version)
        request = Request(
            method=method,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
            body=body,
            path_params={k: unquote(v) for k, v in params.items()},
            version=route.version,
        )
        shaped = not split.path.startswith(CONTROL_PREFIX)
        started = time.monotonic()
        response, fault = self._guarded(route, request, api=shaped and split.path not in PAGE_PATHS)
        if shaped:
            cfg = self.sb.config
            delay = (cfg.latency_ms + cfg.per_record_ms * response.records) / 1000
            delay -= time.monotonic() - started  # time already spent counts as latency
            if delay > 0:
                time.sleep(delay)
        return response, fault

    def _guarded(self, route: Route, request: Request, *, api: bool) -> tuple[Response, str | None]:
        limit_headers: dict[str, str] = {}
        fault = None
        try:
            if route.limit == "token":
                self.limiter.check_token_endpoint()
            if route.scopes is not None:
                request.token = self._authenticate(request, route.scopes)
                token = request.token
                limit_headers = self.limiter.check(token.limit_key, route.limit, static=token.static)
                if not self._tells_daily(token):
                    limit_headers = {
                        k: v
                        for k, v in limit_headers.items()
                        if k not in (DAILY_HEADER, DAILY_REMAINING_HEADER)
                    }
            if api:
                fault = self.faults.draw()
                if fault is not None:
                    self.sb.stats.incr("faults", key=fault)
                    injected = self._inject(fault, limit_headers)
                    if injected is not None:
                        return injected, None
                    if fault == "drop":
                        return Response.empty(), "drop"
            response = self._call(route, request)
        except ApiError as exc:
            response = exc.response()
            if isinstance(exc, RateLimitError):
                self.sb.stats.incr("rate_limited", key=exc.stats_key)
        for name, value in limit_headers.items():
            response.headers.setdefault(name, value)
        return response, fault

    def _tells_daily(self, token: BearerToken) -> bool:
        """HubSpot sends the daily figures to private apps, not on OAuth calls; to service keys as
        configured (unconfirmed, reference §7)."""
        if token.kind == "private-app":
            return True
        return token.kind == "service-key" and self.sb.config.service_key_daily_headers

    def _call(self, route: Route, request: Request) -> Response:
        try:
            result = route.handler(self.sb, request)
        except ApiError:
            raise
        except Exception:
            log.exception("sandbox handler %s %s failed", route.method, route.pattern)
            return ApiError(
                500, "internal error: the sandbox failed on this request (see its log).", "INTERNAL_ERROR"
            ).response()
        if isinstance(result, Response):
            return result
        return Response.json(result)

    def _authenticate(self, request: Request, scopes: tuple[str, ...]) -> BearerToken:
        header = request.headers.get("Authorization") or ""
        scheme, _, value = header.strip().partition(" ")
        record = self.sb.auth.access(value.strip()) if scheme.lower() == "bearer" else None
        if record is None or record.revoked:
            raise ApiError(401, NO_CREDENTIALS, "INVALID_AUTHENTICATION", headers=UNAUTHORIZED)
        expired_for = record.expired_for(time.time())
        if expired_for is not None:
            raise ApiError(
                401,
                f"The OAuth token used to make this call expired {_ago(expired_for)} ago.",
                "EXPIRED_AUTHENTICATION",
                headers=UNAUTHORIZED,
                context={"expire time": [_iso(record.expires_at or 0.0)]},
            )
        if not record.has_any(scopes):
            raise missing_scopes(scopes)
        return record

    def _inject(self, fault: str, limit_headers: dict[str, str]) -> Response | None:
        """The canned response for ``fault``; None for faults that act on the transport."""
        if fault in ("429", "429_secondly"):
            policy = TEN_SECONDLY if fault == "429" else SECONDLY
            self.sb.stats.incr("rate_limited", key=policy)
            headers = dict(limit_headers)
            if headers:
                headers["X-HubSpot-RateLimit-Remaining"] = "0"
            return rate_limit_error(policy, self.sb.hub_id, headers).response()
        if fault == "502":
            return Response(502, BAD_GATEWAY_HTML, "text/html")
        if fault == "503":
            return ApiError(
                503,
                "The service is temporarily unavailable. Please try again later.",
                "SERVICE_UNAVAILABLE",
            ).response()
        return None  # drop, truncate


def _ago(seconds: float) -> str:
    """HubSpot's wording: "0 second(s)", "5 hour(s)", "19884 day(s)"."""
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}(s)"
    return f"{int(seconds)} second(s)"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hubspot-nb-sandbox"
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections close after this many seconds
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logging: it would cost more than the request."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        try:
            body = self._read_body()
            if body is None:
                return
            response, fault = self.server.dispatcher.dispatch(self.command, self.path, self.headers, body)
            self._send(response, fault)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(ApiError(400, f"Bad Content-Length header: {raw[:20]!r}.").response(), None)
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response, fault: str | None) -> None:
        if fault == "drop":
            self.close_connection = True  # answer nothing; the socket closes
            return
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = "Unknown"
        lines = [
            f"HTTP/1.1 {response.status} {phrase}",
            f"Date: {formatdate(usegmt=True)}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        for name, value in response.headers.items():
            # Values can echo user input (a redirect URI): never let one split the header block.
            lines.append(f"{name}: {value.replace(chr(13), ' ').replace(chr(10), ' ')}")
        if self.close_connection or fault == "truncate":
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if fault == "truncate":
            self.close_connection = True
            self.wfile.write(head + response.body[: len(response.body) // 2])
            return
        self.wfile.write(head + response.body)


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, sandbox: Host, address: tuple[str, int]) -> None:
        self.dispatcher = Dispatcher(sandbox)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut idle keep-alive connections, so a stopped sandbox stops answering at once."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-request are normal (and injected faults provoke it): stay quiet.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)
