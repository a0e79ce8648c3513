"""The sandbox's marketing: its generated data (``_data`` building the ``_records`` from ``_words``,
the e-mail events log ``_email_events``, web traffic ``_traffic``) and the routes over it (emails and
events, campaigns, forms, analytics; ``_params`` and ``_json`` are their shared parsing and shapes).

May import the server core (``routing``, ``config``, ``timestamps``); never ``crm``, ``oauth`` or
``app``: it reads the portal's contacts through the ``ContactSource`` it is handed. Routes receive a
``MarketingHost`` (``sb.marketing``).
"""

from __future__ import annotations

from ..routing import Router
from ._analytics import router as _analytics_router
from ._campaigns import router as _campaigns_router
from ._data import MarketingData, build_marketing
from ._emails import router as _emails_router
from ._forms import router as _forms_router
from ._legacy import router as _legacy_router
from ._params import MarketingHost

__all__ = ["MarketingData", "MarketingHost", "build_marketing", "router"]

router = Router()
for _part in (_emails_router, _campaigns_router, _forms_router, _analytics_router, _legacy_router):
    router.include(_part)
