"""Shared pieces of the reliability suite: the figures recorder and the secret ledger.

``Figures`` collects the numbers the suite proves (faults survived, refreshes counted, kills
survived, bad inputs tried, leaks found) and prints them at the end of the run
(``conftest.pytest_terminal_summary``) and writes them to ``.pytest_tmp/reliability-summary.json``.

``Ledger`` knows every secret the sandboxes of a test issued — read from each sandbox's own token
store, so nothing is guessed — plus every secret value the test obtained itself, and scans the
texts a user or a log could see (log records at DEBUG, exception texts with their tracebacks,
reprs, widget state, notebook outputs, child-process logs) for any of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from hubspot_nb.sandbox import CLIENT_SECRET, Sandbox

# The shapes of the sandbox's secrets (hubspot_nb/sandbox/tokens.py): a net behind the exact values.
SECRET_SHAPES = {
    "access token": re.compile(r"sbx-at-[A-Za-z0-9_\-]{16,}"),
    "refresh token": re.compile(r"sbx-rt-[A-Za-z0-9_\-]{16,}"),
    "authorization code": re.compile(r"\bna1-[0-9a-f]{32}\b"),
    "private-app token": re.compile(r"\bpat-[a-z]{2}\d-[0-9a-f\-]{20,}"),
    "service key": re.compile(r"sbx-key-[A-Za-z0-9_\-]{16,}"),
}


class Figures:
    """Numbers recorded by the tests, grouped by section (``faults``, ``refresh`` …)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.data: dict[str, dict[str, Any]] = {}
        self.secret_digests: set[str] = set()  # distinct secrets looked for (digests, not values)

    def set(self, section: str, key: str, value: Any) -> None:
        with self._lock:
            self.data.setdefault(section, {})[key] = value

    def add(self, section: str, key: str, n: int = 1) -> None:
        with self._lock:
            bucket = self.data.setdefault(section, {})
            bucket[key] = bucket.get(key, 0) + n

    def merge_counts(self, section: str, key: str, counts: dict[str, int]) -> None:
        with self._lock:
            bucket = self.data.setdefault(section, {})
            total = Counter(bucket.get(key) or {})
            total.update(counts)
            bucket[key] = dict(sorted(total.items()))

    def lines(self) -> list[str]:
        """The summary, one line per figure, in words the README can quote."""
        d = self.data
        out: list[str] = []
        run = d.get("faults", {}).get("run")
        if run:
            out.append(
                f"faults  {run['faults']} injected faults survived ({_kinds(run['kinds'])}) at "
                f"{run['fault_rate']:.0%} in {run['requests']} requests, with "
                f"{run['forced_expiries']} forced expiries and {run['token_lifetime_s']} s tokens -> "
                f"{run['refreshes']} refreshes; "
                f"{run['seconds']} s"
            )
            for name, pull in run["pulls"].items():
                out.append(f"faults    {name}: {pull['rows']:,} rows identical to the fault-free pull")
        out += _section_line(d, "refresh")
        out += _section_line(d, "crash")
        out += _section_line(d, "bad_input")
        fuzz = d.get("fuzz", {})
        if fuzz:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(fuzz.items()))
            out.append(f"fuzz    examples: {parts}; every one gave a value or a HubSpotNBError")
        out += _section_line(d, "secrets")
        return out

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.data, indent=1, sort_keys=True, default=str))


# The one-line summary of a plain section: its template, and the figures it shows when unrecorded
# (any other unrecorded figure shows as None).
_SECTION_LINES: dict[str, tuple[str, dict[str, Any]]] = {
    "refresh": (
        "refresh {processes} processes x {threads} threads, "
        "{expiries} forced expiries -> {refreshes} refreshes "
        "(rotation on), {calls} calls, {failed_calls} failed, "
        "{expired_401s} calls met an expiry (401) and retried; cache afterwards: "
        "{cache_after}",
        {},
    ),
    "crash": (
        "crash   {kills} SIGKILLs mid-write: {readable} readable "
        "({old} old, {new} new), {half} half-written; "
        "{writes_before_kill} writes completed in all; "
        "{leftover_temp_files_0600} temp files left behind (0600); "
        "control: in-place writes left {control_half_files} half files in 10 kills",
        {"leftover_temp_files_0600": 0, "control_half_files": "?"},
    ),
    "bad_input": (
        "input   {login_cases} login inputs ({login_failures} refused with "
        "{distinct_messages} distinct messages, {login_successes} accepted), "
        "0 tracebacks in the widget; {data_cases} bad data-helper arguments -> "
        "InvalidInput listing the choices",
        {},
    ),
    "secrets": (
        "secrets {scans} scans of {chars:,} characters "
        "(logs at DEBUG, exception texts, reprs, widget state, notebook outputs) for "
        "{known} issued secrets: {leaks} leaks found",
        {"scans": 0, "chars": 0, "known": 0, "leaks": 0},
    ),
}


class _NoneIfUnset(dict[str, Any]):
    def __missing__(self, key: str) -> None:
        return None


def _section_line(data: dict[str, dict[str, Any]], section: str) -> list[str]:
    """The summary line of a recorded plain section, or nothing when the run did not record it."""
    figures = data.get(section, {})
    if not figures:
        return []
    template, unset = _SECTION_LINES[section]
    return [template.format_map(_NoneIfUnset({**unset, **figures}))]


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))  # includes exc_info tracebacks
        except Exception:  # a record that cannot be formatted is still a record
            self.lines.append(repr(record.__dict__))


class Ledger:
    """The secrets of one test, and every text that test exposed."""

    def __init__(self) -> None:
        self.sandboxes: list[Sandbox] = []
        self.values: set[str] = {CLIENT_SECRET}
        self.texts: list[tuple[str, str]] = []
        self.handler = _ListHandler()

    # -- what is secret --------------------------------------------------------------------------
    def watch(self, sb: Sandbox) -> Sandbox:
        self.sandboxes.append(sb)
        return sb

    def secret(self, *values: str | None) -> None:
        """Values the test obtained itself (token responses, pasted codes)."""
        self.values.update(v for v in values if v)

    def known(self) -> set[str]:
        found = set(self.values)
        for sb in self.sandboxes:
            store = sb.auth
            with store._lock:  # the sandbox's own record of everything it issued
                found.update(store._codes)
                found.update(store._access)  # OAuth tokens, private-app tokens and service keys
                found.update(store._grants)
                found.update(g.refresh_token for g in store._grants.values())
                found.update(a.grant.refresh_token for a in store._access.values() if a.grant)
        return {v for v in found if v and len(v) >= 8}

    # -- what was exposed ------------------------------------------------------------------------
    def text(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def exception(self, where: str, exc: BaseException) -> None:
        """str, repr and the whole formatted traceback (with chained causes) of an error."""
        self.texts.append((where, f"{exc}\n{exc!r}\n{''.join(traceback.format_exception(exc))}"))

    def scan(self) -> tuple[list[str], int, set[str]]:
        """(leaks as 'where: what', characters scanned, digests of the secrets looked for)."""
        known = self.known()
        texts = [*self.texts, ("logging at DEBUG", "\n".join(self.handler.lines))]
        leaks: list[str] = []
        chars = 0
        for where, text in texts:
            chars += len(text)
            for value in known:
                if value in text:
                    leaks.append(f"{where}: an issued secret ending …{value[-4:]}")
            for kind, pattern in SECRET_SHAPES.items():
                for match in pattern.finditer(text):
                    leaks.append(f"{where}: a {kind} shape (…{match.group()[-4:]})")
        return leaks, chars, {hashlib.sha256(v.encode()).hexdigest() for v in known}


def expire_tokens(sb: Sandbox) -> int:
    resp = requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["expired"])
