"""The conversion benchmark's inputs: pages fetched once and held in memory, and the typed-frame
builder under test (hubspot_nb's, fed the same pages ``pd.json_normalize`` gets).

Pages are fetched with plain ``requests`` so the benchmark does not depend on hubspot_nb's client to
prepare its own input. With ``properties="all"`` the property names may not fit in a list URL
(HubSpot answers 414 past ~16k characters), so the records are then read with ``batch/read``, which
returns the same record shape.
"""

from __future__ import annotations

from typing import Any

import requests

URL_BUDGET = 15_000  # stay clear of the sandbox's (and HubSpot's) ~16k-character URL limit


def prefetch_pages(job: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All pages of ``job["object_type"]`` (100 records each) and the property catalogue."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {job['token']}"
    base = job["base_url"].rstrip("/")
    object_type = job["object_type"]

    def call(method: str, path: str, **kwargs: Any) -> Any:
        resp = session.request(method, f"{base}{path}", timeout=60, **kwargs)
        resp.raise_for_status()
        return resp.json()

    catalogue = call("GET", f"/crm/v3/properties/{object_type}")["results"]
    names = [p["name"] for p in catalogue]
    wanted = job["properties"]
    joined = ",".join(names) if wanted == "all" else None
    in_url = joined is None or len(joined) < URL_BUDGET
    params: dict[str, Any] = {"limit": 100}
    if joined is not None and in_url:
        params["properties"] = joined
    pages = []
    while True:
        page = call("GET", f"/crm/v3/objects/{object_type}", params=params)
        if not in_url:
            ids = [{"id": r["id"]} for r in page["results"]]
            body = {"inputs": ids, "properties": names}
            read = call("POST", f"/crm/v3/objects/{object_type}/batch/read", json=body)
            page = {"results": read["results"], "paging": page.get("paging")}
        pages.append(page)
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after or (job.get("max_records") and len(pages) * 100 >= job["max_records"]):
            return pages, catalogue
        params["after"] = after


def build_typed_frame(records: list[dict[str, Any]], catalogue: Any) -> Any:
    """hubspot_nb's typed DataFrame from records already in memory (no HTTP): the same function its
    pulls use, with the parsed catalogue (``frames.catalogue.Catalogue``) a hub caches after its
    first pull."""
    from hubspot_nb.frames import records as frames

    return frames.records_to_frame(records, catalogue)


def parse_catalogue(object_type: str, raw: list[dict[str, Any]]) -> Any:
    from hubspot_nb.frames.catalogue import Catalogue

    return Catalogue.from_json(object_type, raw)
