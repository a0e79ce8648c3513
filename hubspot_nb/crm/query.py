"""The options of a CRM pull, declared once: ``Query`` (what the helpers take) and ``QueryOptions``
(the same keywords, for typing ``**options`` on ``Hub.contacts`` / ``companies`` / ``deals`` /
``objects``); and ``SearchQuery``, what ``Hub.search`` takes after the object type.

``Hub`` methods take ``**options: Unpack[QueryOptions]`` (type checkers and IDEs see each keyword)
and get ``Query``'s keyword-only signature as their ``__signature__`` (``help()`` and
``inspect.signature`` list the names and defaults). The TypedDict repeats the names and types of
``Query``'s fields because Python has no way to derive one from the other; ``_check_in_step``
fails at import if the two ever differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypedDict

from ..errors import InvalidInput

Properties = str | Sequence[str] | None  # None: HubSpot's default set; "all": every property
When = date | str | int | None  # a datetime, date, ISO string or epoch milliseconds


@dataclass(frozen=True, kw_only=True)
class Query:
    """What to pull, for every CRM object type.

    properties: None (HubSpot's default set), a list of names, or "all" (every property).
    since: only records modified since then (datetime, date or ISO string); uses search.
    limit: at most this many rows. archived: only archived records.
    associations: object types whose associated ids become columns (``companies`` and
    ``primary_company`` …). labels: show labels instead of internal names and values.
    chunksize: return an iterator of DataFrames of about this many rows instead of one frame.
    """

    properties: Properties = None
    since: When = None
    limit: int | None = None
    archived: bool = False
    associations: str | Sequence[str] | None = None
    labels: bool = False
    chunksize: int | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise InvalidInput("limit must be a positive number of rows (or None for all).")
        if self.chunksize is not None and self.chunksize < 1:
            raise InvalidInput("chunksize must be at least 1 row.")


class QueryOptions(TypedDict, total=False):
    """``Query``'s fields as keyword arguments (all optional)."""

    properties: Properties
    since: When
    limit: int | None
    archived: bool
    associations: str | Sequence[str] | None
    labels: bool
    chunksize: int | None


def _check_in_step() -> None:
    declared = [f.name for f in fields(Query)]
    typed = list(QueryOptions.__annotations__)
    if declared != typed:
        raise TypeError(f"QueryOptions {typed} must list Query's fields {declared}, in order")


_check_in_step()


@dataclass(frozen=True)
class SearchQuery:
    """What to search for; ``Hub.search`` takes these in this order (or by name) after the type.

    filters: ``{"lifecyclestage": "lead", "createdate__gte": "2025-01-01"}`` or HubSpot's own
    filter dicts. properties: as for ``Query``. sort: ``"-createdate"`` or a list of keys.
    limit: at most this many rows. query: HubSpot's free-text search. labels: as for ``Query``.
    """

    filters: Any = None
    properties: Any = None
    sort: Any = None
    limit: int | None = None
    query: str | None = None
    labels: bool = False
