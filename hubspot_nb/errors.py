"""Every error hubspot_nb raises, under one base class.

    HubSpotNBError
     ├── ConfigError            a setting is missing or unsafe (e.g. http:// to a non-loopback host)
     ├── InvalidInput           a bad argument: unknown object type, property, date, filter operator …
     ├── AuthError
     │    ├── NotLoggedIn       no token yet (login widget not finished, nothing cached)
     │    ├── LoginFailed       the pasted code/URL could not be turned into a token
     │    └── RefreshFailed     HubSpot refused the refresh token: log in again
     ├── NetworkError           HubSpot could not be reached (after retries)
     └── APIError               HubSpot answered with an error body (after retries)
          ├── BadRequest            400
          ├── AuthenticationFailed  401
          ├── MissingScopes         403
          ├── NotFound              404
          ├── URITooLong            414
          ├── RateLimited           429
          └── ServerError           5xx

One warning: ``HubSpotLegacyAPIWarning`` (a DeprecationWarning, shown by default): a helper read an
API HubSpot offers only on a legacy path.

Messages say what happened and what to do next. They never contain a token, a client secret or
a pasted code: build them from HubSpot's error fields and our own words only.
"""

from __future__ import annotations

import json
import warnings
from typing import Any


class HubSpotNBError(Exception):
    """Base class of every hubspot_nb error."""


class HubSpotLegacyAPIWarning(DeprecationWarning):
    """A helper read an API that HubSpot offers only on a legacy (numbered) path, which goes
    unsupported in September 2027. Shown once per API family per process."""


# Python hides DeprecationWarning outside ``__main__``; analysts in notebooks should see this one
# (once: ``http.urls`` announces each family only the first time). Silence it with
# ``warnings.filterwarnings("ignore", category=hubspot_nb.errors.HubSpotLegacyAPIWarning)``. (Not in
# ``hubspot_nb.__all__``: that lists errors, all under ``HubSpotNBError``; a warning is no error.)
warnings.simplefilter("default", HubSpotLegacyAPIWarning)


class ConfigError(HubSpotNBError, ValueError):
    """A setting is missing or unsafe."""


class InvalidInput(HubSpotNBError, ValueError):
    """An argument is not valid; the message lists the valid choices where there are few enough."""


class AuthError(HubSpotNBError):
    """Logging in or staying logged in failed."""


class NotLoggedIn(AuthError):
    """There is no token yet."""


class LoginFailed(AuthError):
    """The pasted code or redirected URL could not be exchanged for a token.

    ``reason`` is a short machine-readable word (``state_mismatch``, ``access_denied``,
    ``bad_code``, ``expired_code``, ``bad_redirect_uri``, ``bad_client`` …) for widgets and tests.
    """

    def __init__(self, message: str, reason: str = "login_failed") -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.reason))


class RefreshFailed(AuthError):
    """HubSpot refused to refresh the token (app uninstalled, token revoked): log in again."""


class NetworkError(HubSpotNBError):
    """HubSpot could not be reached, or kept dropping the connection, after retries."""


class APIError(HubSpotNBError):
    """HubSpot answered with an error. Carries HubSpot's own fields.

    ``status`` (HTTP status), ``category`` (e.g. ``MISSING_SCOPES``), ``correlation_id`` (quote it
    to HubSpot support), ``hubspot_message`` (HubSpot's text), ``sub_category``, ``context``,
    ``errors`` (HubSpot's detail list) and ``body`` (the parsed JSON body, or None).
    """

    hint: str = ""

    def __init__(
        self,
        status: int,
        hubspot_message: str,
        *,
        category: str | None = None,
        correlation_id: str | None = None,
        sub_category: str | None = None,
        context: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.hubspot_message = hubspot_message
        self.category = category
        self.correlation_id = correlation_id
        self.sub_category = sub_category
        self.context = context or {}
        self.errors = errors or []
        self.body = body
        if hint is not None:
            self.hint = hint
        super().__init__(self._text())

    def _text(self) -> str:
        head = f"HubSpot answered {self.status}"
        if self.category:
            head += f" {self.category}"
        text = f"{head}: {self.hubspot_message}"
        if self.hint:
            text += f" {self.hint}"
        if self.correlation_id:
            text += f" (correlationId {self.correlation_id})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments do not survive default pickling; rebuild from the fields.
        return (_rebuild_api_error, (type(self), self.status, self.hubspot_message, self.__dict__.copy()))


def _rebuild_api_error(cls: type[APIError], status: int, message: str, state: dict[str, Any]) -> APIError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._text())
    return err


class BadRequest(APIError):
    """400: HubSpot rejected the request (bad filter, bad property, paging past 10,000 search results …)."""


class AuthenticationFailed(APIError):
    """401: the token is expired, revoked or unknown."""

    hint = "Log in again with hnb.login()."


class MissingScopes(APIError):
    """403: the app was not granted a scope this call needs. ``missing_scopes`` names them."""

    @property
    def missing_scopes(self) -> list[str]:
        found: list[str] = []
        for source in [self.context, *(e.get("context") or {} for e in self.errors)]:
            for key in ("requiredGranularScopes", "requiredScopes", "missingScopes"):
                for scope in source.get(key) or []:
                    if scope not in found:
                        found.append(scope)
        return found

    def _text(self) -> str:
        scopes = self.missing_scopes
        if scopes and not self.hint:
            self.hint = (
                f"This call needs the scope {' or '.join(scopes)}. With a service key: open the key in "
                "HubSpot (Development › Keys › Service keys), Add new scope, tick it, save and run the "
                "cell again. With an OAuth app: add it to the app's scopes (app-hsmeta.json, then hs "
                "project upload) and to HUBSPOT_SCOPES or HUBSPOT_OPTIONAL_SCOPES to match, then log in "
                "again with hnb.login(force=True)."
            )
        return super()._text()


class NotFound(APIError):
    """404: no such record, object type or endpoint."""


class URITooLong(APIError):
    """414: the request URL was too long (usually too many property names)."""


class RateLimited(APIError):
    """429: a HubSpot rate limit was hit and retries did not get through.

    ``policy`` is HubSpot's ``policyName`` (``TEN_SECONDLY_ROLLING``, ``SECONDLY``, ``DAILY``);
    ``retry_after`` is the wait in seconds HubSpot asked for, if it said.
    """

    hint = "Wait a little and run the cell again; hubspot_nb already retried."

    @property
    def policy(self) -> str | None:
        return self.body.get("policyName") if isinstance(self.body, dict) else None

    retry_after: float | None = None

    def _text(self) -> str:
        if self.policy == "DAILY" and self.hint == RateLimited.hint:
            self.hint = (
                "The portal's daily API allowance is used up (it resets at midnight in the account's "
                "time zone), so hubspot_nb did not retry. Try again after midnight, or ask HubSpot "
                "for a higher limit."
            )
        return super()._text()


class ServerError(APIError):
    """5xx: HubSpot had a problem; hubspot_nb already retried."""

    hint = "HubSpot had a temporary problem; run the cell again in a minute."


_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: MissingScopes,
    404: NotFound,
    414: URITooLong,
    429: RateLimited,
}


def error_from_response(status: int, text: str, headers: Any = None) -> APIError:
    """Build the right APIError subclass from an HTTP status and body text.

    Tolerates bodies that are not JSON (HTML error pages, truncated bodies): the message then says
    what the status means instead of quoting the page.
    """
    body: Any = None
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    cls = _STATUS_CLASSES.get(status, ServerError if status >= 500 else APIError)
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error_description") or "no message")
        category = body.get("category") or body.get("errorType") or body.get("status")
        if category == "error":
            category = None
        correlation = body.get("correlationId")
        err = cls(
            status,
            message,
            category=category,
            correlation_id=correlation,
            sub_category=body.get("subCategory"),
            context=body.get("context") if isinstance(body.get("context"), dict) else None,
            errors=body.get("errors") if isinstance(body.get("errors"), list) else None,
            body=body,
        )
    else:
        err = cls(status, f"the response was not HubSpot JSON (HTTP {status})", body=None)
    if headers is not None and isinstance(err, RateLimited):
        value = headers.get("Retry-After")
        try:
            err.retry_after = float(value) if value is not None else None
        except ValueError:
            err.retry_after = None
    return err
