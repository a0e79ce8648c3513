"""The test suite's session sandbox, in one place: ``tests/helpers.py`` hands it to the fixtures, and
``scripts/frame_contract.py`` builds its sandbox from it (the dtypes it writes with ``--contract``
are the ones the session sandbox must give).

Plain data and the standard library only: the script loads this file by path and must run against
any checkout of the package (``PYTHONPATH=/path/to/old``), so nothing here may import hubspot_nb.
"""

from __future__ import annotations

from typing import Any

# Big enough to page through (several pages of 100), small enough to build in well under a second.
SANDBOX_OPTIONS: dict[str, Any] = {
    "profile": "fast",
    "seed": 7,
    "contacts": 600,
    "companies": 120,
    "deals": 240,
    "tickets": 60,
}
