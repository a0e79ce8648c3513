"""The sandbox's OAuth app: consent and callback pages (``pages/``), token endpoints (``_login``),
introspection, revocation and account info (``_info``), and the token store (``_tokens``).

May import the server core (``routing``, ``config``, ``stats``); never ``crm``, ``marketing`` or ``app``.
Routes receive an ``OAuthHost``.
"""

from __future__ import annotations

from ..routing import Router
from ._host import OAuthHost
from ._info import router as _info_router
from ._login import router as _login_router
from ._tokens import KNOWN_SCOPES, AccessToken, AuthStore, Grant, OAuthError

__all__ = ["KNOWN_SCOPES", "AccessToken", "AuthStore", "Grant", "OAuthError", "OAuthHost", "router"]

router = Router()
for _part in (_login_router, _info_router):
    router.include(_part)
