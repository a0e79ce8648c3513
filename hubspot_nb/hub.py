"""``Hub``: one connection to one HubSpot portal, and the data helpers analysts call on it.

A Hub can exist before it is connected: ``login()`` returns one at once and the login widget
connects it when the user finishes; until then every data call raises ``NotLoggedIn`` with a
message that points at the widget. The data helpers are thin: the work lives in ``crm`` (CRM
objects, search, properties), ``marketing`` (emails, events, campaigns, forms, traffic) and
``store`` (Parquet streaming and the incremental local cache), all on top of ``client``. They are
handed ``hub.context`` (the client, the per-connection lookup cache, the progress setting), never
the hub itself.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

from .auth.portal import PortalInfo
from .auth.settings import is_loopback
from .context import Catalogues, Context
from .crm.query import Query, QueryOptions, SearchQuery
from .errors import NotLoggedIn
from .http.urls import DEFAULT_API_BASE, DEFAULT_API_VERSION, check_api_version

if TYPE_CHECKING:
    import pandas as pd
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11; only read by type checkers

    from .auth.portal import Authorized
    from .auth.token import Token
    from .http.client import HubSpotClient


F = TypeVar("F", bound=Callable[..., Any])


def _query_signature(method: F) -> F:
    """``method(self, [object_type,] **options)`` with ``Query``'s keyword-only fields in place of
    ``**options`` in its ``__signature__`` and their description (from ``Query``'s docstring) after
    its own docstring: what ``help()``, ``inspect`` and notebooks' ``?`` show."""
    own = [p for p in inspect.signature(method).parameters.values() if p.kind is not p.VAR_KEYWORD]
    options = list(inspect.signature(Query).parameters.values())
    method.__signature__ = inspect.signature(method).replace(parameters=own + options)  # type: ignore[attr-defined]
    described = inspect.cleandoc(Query.__doc__ or "").partition("\n\n")[2]  # after its first line
    method.__doc__ = "\n\n".join(d for d in (inspect.cleandoc(method.__doc__ or ""), described) if d) or None
    return method


P = ParamSpec("P")
S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


def _takes(
    options: Callable[P, T],
) -> Callable[[Callable[[S, str, T], R]], Callable[Concatenate[S, str, P], R]]:
    """``method(self, object_type, options)`` called as ``method(self, object_type, *args, **kwargs)``:
    the arguments after the object type build ``options(*args, **kwargs)`` (positional or by name,
    with its defaults and checks), and its parameters follow ``object_type`` in the method's
    ``__signature__``; type checkers read them through ``P``."""

    def decorate(method: Callable[[S, str, T], R]) -> Callable[Concatenate[S, str, P], R]:
        own = list(inspect.signature(method).parameters.values())[:2]  # self, object_type
        signature = inspect.signature(method).replace(
            parameters=own + list(inspect.signature(options).parameters.values())
        )

        def call(self: S, object_type: str, *args: P.args, **kwargs: P.kwargs) -> R:
            try:  # a wrong call is told in the method's terms: "Hub.search() got an unexpected …"
                signature.bind(self, object_type, *args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{method.__qualname__}() {error}") from None
            return method(self, object_type, options(*args, **kwargs))

        functools.update_wrapper(call, method, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
        call.__signature__ = signature  # type: ignore[attr-defined]
        # ``Concatenate`` types ``self, object_type`` as positional-only; ``call`` also takes
        # ``object_type=`` by name, as the signature says: more than the type promises, never less.
        return call  # type: ignore[return-value]

    return decorate


class Hub:
    """A HubSpot portal you can pull DataFrames from. Get one from ``hnb.login()`` or ``hnb.connect()``."""

    def __init__(
        self,
        token: Token | None = None,
        *,
        api_base: str = DEFAULT_API_BASE,
        api_version: str = DEFAULT_API_VERSION,
        info: PortalInfo | None = None,
        progress: bool = True,
        sandbox: Any = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        # Which HubSpot paths the client calls: "2026-09" (default), "2026-03" or "legacy" (http.urls).
        self.api_version = check_api_version(api_version)
        self.progress = progress  # show tqdm bars on long pulls
        self.sandbox = sandbox  # the embedded sandbox this hub talks to, if any
        self.login_widget: Any = None  # the widget login() showed for this hub, while it is pending
        self._token = token
        self.info = info or PortalInfo()
        self._client: HubSpotClient | None = None
        self._context: Context | None = None
        self._lock = threading.Lock()
        self._pending_message = (
            "Not logged in yet. Finish the login in the widget shown by hnb.login() "
            "(click Authorize, approve, paste what HubSpot shows, click Connect), then run this cell again."
        )

    # -- connection ------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._token is not None

    @property
    def token(self) -> Token:
        if self._token is None:
            raise NotLoggedIn(self._pending_message)
        return self._token

    @classmethod
    def from_login(
        cls,
        authorized: Authorized,
        *,
        api_base: str | None = None,
        api_version: str | None = None,
        progress: bool = True,
        sandbox: Any = None,
    ) -> Hub:
        """A connected hub from a finished login: ``hnb.Hub.from_login(flow.finish(pasted))``.

        ``api_base`` defaults to the API host the token was issued by, ``api_version`` to the one
        the login was made with (``OAuthFlow(api_version=…)``)."""
        return cls(
            authorized.token,
            api_base=api_base or authorized.token.api_base,
            api_version=api_version or authorized.api_version,
            info=authorized.info,
            progress=progress,
            sandbox=sandbox,
        )

    def attach(self, token: Token, info: PortalInfo) -> None:
        """Connect this hub to ``token`` (the login widget or prompt calls it once the user is in)."""
        with self._lock:
            self._token = token
            self.info = info
            self._client = None  # and with it the context (``context`` builds both anew)

    def detach(self, message: str) -> None:
        """Disconnect (``logout``): from now on data calls raise ``NotLoggedIn(message)``."""
        with self._lock:
            self._token = None
            self._client = None
            self._pending_message = message

    @property
    def client(self) -> HubSpotClient:
        """The HTTP client every helper uses (Bearer auth, retries, rate limits, paging)."""
        with self._lock:
            if self._client is None:
                from .http.client import HubSpotClient

                self._client = HubSpotClient(self.token, api_base=self.api_base, api_version=self.api_version)
            return self._client

    @property
    def context(self) -> Context:
        """What the data helpers are handed: the client, this connection's lookup cache (property
        catalogues …), the ``progress`` setting and the hub id. A new connection gets a new one."""
        client = self.client  # raises NotLoggedIn while the login is pending
        hub_id = self.info.hub_id or getattr(self._token, "hub_id", None)
        with self._lock:
            ctx = self._context
            if ctx is None or ctx.client is not client:
                ctx = Context(client=client, catalogues=Catalogues(), progress=self.progress, hub_id=hub_id)
            elif (ctx.progress, ctx.hub_id) != (self.progress, hub_id):  # ``hub.progress = False`` …
                ctx = replace(ctx, progress=self.progress, hub_id=hub_id)  # … keeps the cache
            self._context = ctx
            return ctx

    @property
    def is_sandbox(self) -> bool:
        """Whether this hub talks to a sandbox, not to HubSpot: one ``login(sandbox=True)`` started, or
        any API on this machine (a loopback ``api_base``, as ``make demo`` passes through
        ``HUBSPOT_API_BASE``): HubSpot's API is never on a loopback address."""
        if self.sandbox is not None:
            return True
        return is_loopback(urlsplit(self.api_base).hostname or "")

    @property
    def where(self) -> str:
        """Which portal this hub talks to, in words a notebook prints first: ``"Sandbox at
        http://127.0.0.1:PORT (no HubSpot account used)"`` or ``"HubSpot portal DOMAIN (hub id N)"``."""
        if self.is_sandbox:
            return f"Sandbox at {self.api_base} (no HubSpot account used)"
        if not self.connected:
            return (
                f"HubSpot at {self.api_base}, not logged in yet: finish the login in the widget, "
                "then run the next cells"
            )
        info = self.info
        if info.hub_id is None and not info.hub_domain:
            return "HubSpot portal with unknown hub id (the credential may not read account info)"
        return f"HubSpot portal {info.hub_domain or info.hub_id} (hub id {info.hub_id})"

    def __repr__(self) -> str:
        if not self.connected:
            return "<Hub: not logged in yet>"
        token = self._token
        expiry = ""
        if token is not None and getattr(token, "expires_at", None) is not None:
            expiry = f", token expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
        return f"<Hub {self.info.describe()}{expiry}>"

    # -- CRM ---------------------------------------------------------------------------------
    # ``contacts``/``companies``/``deals``/``objects`` share one set of keyword-only options,
    # declared once in ``crm.query``: ``Query`` (names, defaults, checks) and ``QueryOptions`` (the
    # same keywords for ``**options: Unpack[…]``, which type checkers and IDEs read). The methods
    # below only say which object type; ``_query_signature`` puts ``Query``'s keywords into their
    # ``__signature__`` so ``help()`` and ``inspect.signature`` show them too. Unknown keywords and
    # positional options raise TypeError. ``search`` takes ``SearchQuery``'s fields, by position or
    # name, through ``_takes``.
    @_query_signature
    def contacts(self, **options: Unpack[QueryOptions]) -> pd.DataFrame | Iterator[pd.DataFrame]:
        """Contacts as a typed DataFrame (index ``id``)."""
        return self.objects("contacts", **options)

    @_query_signature
    def companies(self, **options: Unpack[QueryOptions]) -> pd.DataFrame | Iterator[pd.DataFrame]:
        """Companies as a typed DataFrame (index ``id``)."""
        return self.objects("companies", **options)

    @_query_signature
    def deals(self, **options: Unpack[QueryOptions]) -> pd.DataFrame | Iterator[pd.DataFrame]:
        """Deals as a typed DataFrame (index ``id``)."""
        return self.objects("deals", **options)

    @_query_signature
    def objects(
        self, object_type: str, **options: Unpack[QueryOptions]
    ) -> pd.DataFrame | Iterator[pd.DataFrame]:
        """Records of any CRM object type as a typed DataFrame, index ``id``."""
        from .crm import objects as crm

        query = Query(**options)
        return crm.objects(self.context, object_type, query)

    @_takes(SearchQuery)
    def search(self, object_type: str, search: SearchQuery) -> pd.DataFrame:
        """Records matching ``filters`` (``{"lifecyclestage": "lead", "createdate__gte": "2025-01-01"}``
        or HubSpot's own filter dicts), all pages, past HubSpot's 10,000-result cap.

        ``sort``: ``"-createdate"`` or a list of keys. HubSpot is sent one key; further keys order
        the rows here (ties by id), with ``limit`` too: the rows are the first under every key."""
        from .crm import objects as crm

        return crm.search(self.context, object_type, search)

    def properties(self, object_type: str) -> pd.DataFrame:
        """The property catalogue of an object type: name, label, type, fieldType, options …"""
        from .crm import objects as crm

        return crm.properties_frame(self.context, object_type)

    def associations(self, from_type: str, to_type: str, ids: Any = None) -> pd.DataFrame:
        """A link table ``from_id, to_id, type`` between two object types."""
        from .crm import objects as crm

        return crm.associations(self.context, from_type, to_type, ids=ids)

    def owners(self, archived: bool = False) -> pd.DataFrame:
        """The portal's owners (index ``id``): name, email, userId, teams … (``labels=True`` on the
        data helpers already shows owner names in ``hubspot_owner_id``). Like HubSpot, only active
        owners by default; ``archived=True`` gives the archived (deactivated) ones instead, which
        records may still point at."""
        from .crm import objects as crm

        return crm.owners(self.context, archived=archived)

    def pipelines(self, object_type: str = "deals") -> pd.DataFrame:
        """Pipeline stages of deals or tickets (index: stage id): stage and pipeline names, order,
        probability, closed."""
        from .crm import objects as crm

        return crm.pipelines(self.context, object_type)

    def to_parquet(
        self,
        object_type: str,
        path: Any,
        properties: Any = None,
        since: Any = None,
        archived: bool = False,
        chunksize: int = 10_000,
    ) -> Any:
        """Stream a pull to a Parquet dataset (one file per chunk): memory stays flat."""
        from .crm import store

        return store.to_parquet(
            self.context,
            object_type,
            path,
            properties=properties,
            since=since,
            archived=archived,
            chunksize=chunksize,
        )

    def sync(
        self, object_type: str, properties: Any = None, path: Any = None, full: bool = False
    ) -> pd.DataFrame:
        """A local copy of ``object_type`` kept up to date incrementally: the first call pulls
        everything, later calls fetch only what changed since the last one (a few requests).

        Records archived or deleted in HubSpot stay in the copy until ``full=True`` pulls anew
        (HubSpot's search, which finds the changes, never returns them)."""
        from .crm import store

        return store.sync(self.context, object_type, properties=properties, path=path, full=full)

    # -- marketing -----------------------------------------------------------------------------
    def marketing_emails(self, stats: bool = True, since: Any = None, archived: bool = False) -> pd.DataFrame:
        """One row per marketing email (drafts included), statistics flattened to numeric columns.
        Archived emails only with ``archived=True`` (HubSpot lists them only when asked)."""
        from .marketing import emails

        return emails.marketing_emails(self.context, stats=stats, since=since, archived=archived)

    def email_statistics(self, start: Any, end: Any, interval: str | None = None) -> pd.DataFrame:
        """Aggregate e-mail statistics per email and campaign, or a time series per interval."""
        from .marketing import emails

        return emails.email_statistics(self.context, start, end, interval=interval)

    def email_events(
        self, start: Any, end: Any, event_types: Any = None, email_id: Any = None
    ) -> pd.DataFrame:
        """One row per send/delivery/open/click/bounce … event in ``[start, end)``."""
        from .marketing import events

        return events.email_events(self.context, start, end, event_types=event_types, email_id=email_id)

    def campaigns(
        self, start: Any = None, end: Any = None, revenue: bool = False, attribution_model: str = "LINEAR"
    ) -> pd.DataFrame:
        """Campaigns with their metrics (and revenue with ``revenue=True``)."""
        from .marketing import campaigns

        return campaigns.campaigns(
            self.context, start=start, end=end, revenue=revenue, attribution_model=attribution_model
        )

    def forms(self, archived: bool = False) -> pd.DataFrame:
        """The portal's forms of every type (hubspot, captured, flow pop-ups, blog comments);
        ``archived=True`` adds the archived ones."""
        from .marketing import forms

        return forms.forms(self.context, archived=archived)

    def form_submissions(self, form_id: str | None = None, since: Any = None) -> pd.DataFrame:
        """One row per form submission, submitted values as columns; ``form_id=None``: every form
        of every type, archived forms included (``form_archived`` says which)."""
        from .marketing import forms

        return forms.form_submissions(self.context, form_id=form_id, since=since)

    def traffic(
        self, breakdown: str = "sources", period: str = "total", start: Any = None, end: Any = None
    ) -> pd.DataFrame:
        """Website traffic from HubSpot's analytics reports; ``start``/``end`` default to the last 30
        days (not all time), every breakdown value of each period."""
        from .marketing import traffic

        return traffic.traffic(self.context, breakdown=breakdown, period=period, start=start, end=end)
