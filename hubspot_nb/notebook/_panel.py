"""The status line both login widgets show: HTML in, plain text out (for tests and screen readers)."""

from __future__ import annotations

import html
import re


def status_html(text: str, style: str | None = None) -> str:
    """``text`` (already HTML) in the status ``<div>``, with an optional inline style."""
    css = f' style="{style}"' if style else ""
    return f'<div class="hubspot-nb-status"{css}>{text}</div>'


def plain_text(value: str) -> str:
    """A status's HTML as plain text: one line per ``<br>``, tags dropped, entities decoded."""
    lines = re.sub(r"<br\s*/?>", "\n", value, flags=re.IGNORECASE)  # before the tags go
    return html.unescape(re.sub(r"<[^>]+>", "", lines)).strip()
