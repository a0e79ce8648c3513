"""The public surface is explicit: what `hubspot_nb` exports, and what importing it costs."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import hubspot_nb as hnb
from hubspot_nb.hub import Hub

EXPORTED = {
    "APIError", "AuthError", "AuthenticationFailed", "BadRequest", "ConfigError", "Hub", "HubSpotNBError",
    "InvalidInput", "LoginFailed", "LoginWidget", "MissingScopes", "NetworkError", "NotFound", "NotLoggedIn",
    "OAuthFlow", "PortalInfo", "RateLimited", "RefreshFailed", "ServerError", "Token", "TokenCache",
    "URITooLong", "__version__", "connect", "login", "logout",
}  # fmt: skip


def test_all_is_exactly_the_documented_surface() -> None:
    assert set(hnb.__all__) == EXPORTED
    for name in hnb.__all__:
        assert getattr(hnb, name) is not None, name


def test_every_error_shares_one_base() -> None:
    errors = [getattr(hnb, n) for n in hnb.__all__ if inspect.isclass(getattr(hnb, n))]
    errors = [e for e in errors if issubclass(e, Exception)]
    assert len(errors) >= 15
    assert all(issubclass(e, hnb.HubSpotNBError) for e in errors)


def test_hub_has_the_helpers_the_design_promises() -> None:
    for name in ("contacts", "companies", "deals", "objects", "search", "properties", "associations",
                 "marketing_emails", "email_statistics", "email_events", "campaigns", "forms",
                 "form_submissions", "traffic", "to_parquet", "sync"):  # fmt: skip
        assert callable(getattr(Hub, name)), name
    keywords = set(inspect.signature(Hub.contacts).parameters)
    assert {"properties", "since", "limit", "archived", "associations"} <= keywords


def test_crm_pulls_share_one_keyword_only_signature() -> None:
    options = ["properties", "since", "limit", "archived", "associations", "labels", "chunksize"]
    for name in ("contacts", "companies", "deals", "objects"):
        params = inspect.signature(getattr(Hub(), name)).parameters
        keyword_only = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY]
        assert keyword_only == options, name
        assert params["archived"].default is False and params["limit"].default is None
    assert list(inspect.signature(Hub.objects).parameters)[:2] == ["self", "object_type"]
    for name in ("contacts", "objects"):  # help() describes the options, from Query's docstring
        doc = getattr(Hub, name).__doc__
        assert all(f"{option}:" in doc for option in options), name
    hub = Hub()
    with pytest.raises(TypeError):
        hub.contacts(["email"])  # type: ignore[misc]
    with pytest.raises(TypeError, match="propertys"):
        hub.contacts(propertys=["email"])  # type: ignore[call-arg]


def test_search_takes_its_options_by_position_or_name() -> None:
    params = inspect.signature(Hub().search).parameters
    assert list(params) == ["object_type", "filters", "properties", "sort", "limit", "query", "labels"]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params.values())
    assert params["labels"].default is False and params["limit"].default is None
    with pytest.raises(TypeError, match=r"Hub\.search\(\) got an unexpected keyword argument 'filterz'"):
        Hub().search("contacts", filterz={})  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="too many positional arguments"):
        Hub().search("contacts", {}, None, None, None, None, False, "extra")  # type: ignore[call-arg]


def test_importing_the_package_loads_neither_pandas_nor_ipywidgets() -> None:
    code = (
        "import sys, hubspot_nb as h; h.login; h.Hub;"
        "print(sorted(m for m in ('pandas', 'ipywidgets', 'hubspot_nb.sandbox', 'hubspot_nb.analysis')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_attributes_resolve() -> None:
    assert hnb.LoginWidget.__name__ == "LoginWidget"
    assert callable(hnb.sandbox.run)
    assert callable(hnb.analysis.lifecycle_funnel) and hnb.analysis.FUNNEL_PROPERTIES
