"""Progress bars for long pulls: ``tqdm.auto`` (a widget in notebooks, text in terminals).

A bar appears only for pulls that take more than a second (``delay``), so quick calls stay quiet.
``hub.progress = False`` (the ``show`` flag the helpers pass here) or the environment variable
``HUBSPOT_NB_PROGRESS=0`` silences them all.
"""

from __future__ import annotations

import os
from typing import Any


class _Silent:
    """The bar's interface, doing nothing."""

    total: int | None = None

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def enabled(show: bool = True) -> bool:
    """``show``, unless ``HUBSPOT_NB_PROGRESS`` turns every bar off."""
    if os.environ.get("HUBSPOT_NB_PROGRESS", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return bool(show)


def bar(show: bool, desc: str, total: int | None = None, unit: str = "rec") -> Any:
    """A progress bar for ``desc`` (``update(n)``, ``total`` settable, ``close()``), or a silent one."""
    if not enabled(show):
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, delay=1.0, leave=False, dynamic_ncols=True)


def set_total(progress: Any, total: int | None) -> None:
    """Tell the bar how many records to expect, once known (search answers carry ``total``)."""
    if total is None or isinstance(progress, _Silent):
        return
    progress.total = total
    progress.refresh()
