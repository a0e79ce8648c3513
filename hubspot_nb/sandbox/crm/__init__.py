"""The sandbox's CRM: the portal's generated data (``_portal`` with ``_catalogue``, ``_columns``,
``_generate``, ``_words``) and the CRM v3/v4 routes over it (objects, search, associations, owners,
pipelines; ``_records``, ``_json`` and ``_encoded`` are their shared record shape and JSON encoding).

May import the server core (``routing``, ``config``, ``timestamps``); never ``marketing``, ``oauth``
or ``app``.
Routes receive a ``CrmHost`` (``sb.portal``, ``sb.base_url``, ``sb.config``).
"""

from __future__ import annotations

from ..routing import Router
from ._associations import router as _associations_router
from ._legacy import router as _legacy_router
from ._meta import router as _meta_router
from ._objects import router as _objects_router
from ._portal import ObjectStore, Portal, build_portal
from ._records import CrmHost
from ._schemas import router as _schemas_router
from ._search import router as _search_router
from ._users import router as _users_router

__all__ = ["CrmHost", "ObjectStore", "Portal", "build_portal", "router"]

router = Router()
for _part in (_objects_router, _search_router, _associations_router, _meta_router, _schemas_router,
              _legacy_router, _users_router):  # fmt: skip
    router.include(_part)
