"""Reading a list cursor as a record id, when HubSpot's cursor is one.

HubSpot calls the list endpoint's ``after`` an opaque paging token. What it sends is, in its own
docs' example, the base64 of the next record id and a newline (``NTI1Cg%3D%3D`` is ``"525\\n"``);
other captures show the id as plain digits. A pull that can write such a cursor for any id can start
extra list chains in the middle of the id range instead of walking one chain from the start.

Nothing here is trusted blindly. ``learn`` accepts a format only when the cursor of a real page
decodes to a number at or just past that page's last id. And a chain started from a written cursor
only *starts* there: it continues with HubSpot's own cursors, and the chain below it stops only
where this chain's first real page began (``coverage.py``). If HubSpot meant something else by the
cursor, or refuses a written one, the pull loses time, never records.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import quote, unquote


@dataclass(frozen=True)
class CursorFormat:
    """How one portal's list cursors spell a record id: plain digits or base64, with a suffix
    (HubSpot's example ends in a newline) and URL-quoted or not, exactly as the real cursor was."""

    encoding: str  # "plain" or "base64"
    suffix: str = ""
    quoted: bool = False

    def cursor(self, record_id: int) -> str:
        """The cursor HubSpot would send for a page starting at ``record_id``."""
        text = f"{record_id}{self.suffix}"
        if self.encoding == "plain":
            return text
        encoded = base64.b64encode(text.encode()).decode()
        return quote(encoded, safe="") if self.quoted else encoded


def learn(after: str, page_ids: list[int]) -> CursorFormat | None:
    """The format of ``after`` if it reads as a record id just past the page it followed, else None.

    ``page_ids`` are the ids of the page the cursor came with. "Just past" means at or after the
    page's last id and no further than the page's own id span again (ids are sparse, but the next
    record is never far beyond a page of 100).
    """
    if not page_ids or not after:
        return None
    last, span = max(page_ids), max(page_ids) - min(page_ids)
    for fmt, number in _readings(after):
        if last <= number <= last + max(span, 1) + 1:
            return fmt
    return None


def _readings(after: str) -> list[tuple[CursorFormat, int]]:
    """Every way ``after`` can be read as a number, with the format that reproduces it."""
    out: list[tuple[CursorFormat, int]] = []
    if after.isdigit():
        out.append((CursorFormat("plain"), int(after)))
    quoted = unquote(after) != after
    try:
        text = base64.b64decode(unquote(after), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return out
    digits = text.rstrip()
    if digits.isdigit():
        fmt = CursorFormat("base64", suffix=text[len(digits) :], quoted=quoted)
        if fmt.cursor(int(digits)) == after:  # it must round-trip exactly, padding and all
            out.append((fmt, int(digits)))
    return out
