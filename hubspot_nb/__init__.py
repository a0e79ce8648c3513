"""hubspot_nb: HubSpot in Jupyter notebooks.

Usage::

    import hubspot_nb as hnb

    hub = hnb.login()  # widget in Jupyter, prompt in a terminal; cached token next time
    contacts = hub.contacts()  # a typed pandas DataFrame
"""

from __future__ import annotations

from .auth.cache import TokenCache
from .auth.flow import OAuthFlow
from .auth.portal import PortalInfo
from .auth.token import Token
from .errors import (
    APIError,
    AuthenticationFailed,
    AuthError,
    BadRequest,
    ConfigError,
    HubSpotNBError,
    InvalidInput,
    LoginFailed,
    MissingScopes,
    NetworkError,
    NotFound,
    NotLoggedIn,
    RateLimited,
    RefreshFailed,
    ServerError,
    URITooLong,
)
from .hub import Hub
from .notebook.login import connect, login, logout

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AuthError",
    "AuthenticationFailed",
    "BadRequest",
    "ConfigError",
    "Hub",
    "HubSpotNBError",
    "InvalidInput",
    "LoginFailed",
    "LoginWidget",
    "MissingScopes",
    "NetworkError",
    "NotFound",
    "NotLoggedIn",
    "OAuthFlow",
    "PortalInfo",
    "RateLimited",
    "RefreshFailed",
    "ServerError",
    "Token",
    "TokenCache",
    "URITooLong",
    "__version__",
    "connect",
    "login",
    "logout",
]


def __getattr__(name: str) -> object:
    # LoginWidget lives in the only module that imports ipywidgets, the sandbox is a server most
    # users never start and the analyses import pandas: load each on first use, so `import hubspot_nb`
    # stays light.
    if name == "LoginWidget":
        from .notebook.widget import LoginWidget

        return LoginWidget
    if name in ("sandbox", "analysis"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hubspot_nb' has no attribute {name!r}")
