"""What the data helpers are handed: the client, the hub's lookup cache and its display settings.

``Hub`` builds one ``Context`` per connection (``hub.context``) and passes it to every helper in
``crm`` and ``marketing``, which therefore never see the ``Hub`` itself: they cannot reach its
login state, and they import nothing above them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .http.client import HubSpotClient

T = TypeVar("T")


class Catalogues:
    """Lookups fetched once per connection (property catalogues …), shared by every thread.

    ``get(key, fetch)`` returns the value held for ``key`` or calls ``fetch()`` and keeps what it
    returns. The fetch runs outside the lock (it is a request): two threads asking for the same new
    key at once may both fetch, and the first answer stored is the one both get.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, fetch: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                held: T = self._items[key]
                return held
        value = fetch()
        with self._lock:
            kept: T = self._items.setdefault(key, value)
            return kept

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass(frozen=True)
class Context:
    """One connected hub, as the data helpers see it."""

    client: HubSpotClient  # every request goes through it (auth, retries, rate limits, paging)
    catalogues: Catalogues = field(default_factory=Catalogues)
    progress: bool = True  # show progress bars on long pulls
    hub_id: int | None = None  # the portal's id, for default local paths (None: not known)
