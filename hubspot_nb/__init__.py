"""hubspot_nb: HubSpot in Jupyter notebooks.

    import hubspot_nb as hnb
    hub = hnb.login()            # widget in Jupyter, prompt in a terminal; cached token next time
    contacts = hub.contacts()    # a typed pandas DataFrame
"""

from __future__ import annotations

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
from .hub import Hub, PortalInfo

__version__ = "0.1.0"

__all__ = [
    # from .errors
    "APIError",
    "AuthError",
    "AuthenticationFailed",
    "BadRequest",
    "ConfigError",
    # from .hub
    "Hub",
    "HubSpotNBError",
    "InvalidInput",
    "LoginFailed",
    "MissingScopes",
    "NetworkError",
    "NotFound",
    "NotLoggedIn",
    "PortalInfo",
    "RateLimited",
    "RefreshFailed",
    "ServerError",
    "URITooLong",
    "__version__",
]
