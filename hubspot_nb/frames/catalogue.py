"""The property catalogue of an object type (``GET /crm/v3/properties/{type}``): what each property
really is (HubSpot sends every value as a string), read once per hub and cached. ``records`` shows it
as a frame (``catalogue_frame``) and types records with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    label: str
    type: str
    field_type: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label)

    @property
    def multi(self) -> bool:
        return self.type == "enumeration" and self.field_type == "checkbox"


@dataclass
class Catalogue:
    """The property catalogue of one object type (fetched once per hub, cached)."""

    object_type: str
    properties: dict[str, PropertyInfo] = field(default_factory=dict)
    raw: list[Mapping[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, object_type: str, results: Iterable[Mapping[str, Any]]) -> Catalogue:
        raw = list(results)
        props = {}
        for p in raw:
            options = tuple(
                (str(o.get("value")), str(o.get("label") if o.get("label") is not None else o.get("value")))
                for o in p.get("options") or []
            )
            props[p["name"]] = PropertyInfo(
                p["name"],
                p.get("label") or p["name"],
                p.get("type", "string"),
                p.get("fieldType", ""),
                options,
            )
        return cls(object_type, props, raw)

    def names(self) -> list[str]:
        return list(self.properties)

    def label(self, name: str) -> str:
        info = self.properties.get(name)
        return info.label if info else name
