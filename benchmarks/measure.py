"""Measuring one contender inside its own process: wall time and peak resident memory.

Peak RSS is the kernel's high-water mark (``VmHWM``). Before the timed part we reset it to the
current RSS (``/proc/self/clear_refs`` = 5), so "growth" is what the pull itself added on top of
the interpreter, the imports and the login. Where that file is missing (not Linux) we fall back to
``ru_maxrss`` and say so in the result.
"""

from __future__ import annotations

import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            match = re.search(rf"^{field}:\s+(\d+) kB", fh.read(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def rss_kb() -> int:
    """Current resident set size in KiB."""
    value = _status_kb("VmRSS")
    return value if value is not None else peak_kb()


def peak_kb() -> int:
    """Peak resident set size in KiB since start (or since the last ``reset_peak``)."""
    value = _status_kb("VmHWM")
    if value is not None:
        return value
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss // 1024 if sys.platform == "darwin" else maxrss  # bytes on macOS, KiB on Linux


def reset_peak() -> bool:
    """Reset the high-water mark to the current RSS; False where the kernel does not support it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


@dataclass
class Measured:
    value: Any
    wall_s: float
    cpu_s: float  # this process's CPU time (all threads): near wall_s means the client is CPU-bound
    rss_before_kb: int
    peak_kb: int
    peak_was_reset: bool

    @property
    def growth_kb(self) -> int:
        return max(0, self.peak_kb - self.rss_before_kb)

    def as_dict(self) -> dict[str, Any]:
        return {
            "wall_s": self.wall_s,
            "cpu_s": self.cpu_s,
            "rss_before_kb": self.rss_before_kb,
            "peak_kb": self.peak_kb,
            "growth_kb": self.growth_kb,
            "peak_was_reset": self.peak_was_reset,
        }


def measure(fn: Callable[[], Any]) -> Measured:
    """Run ``fn`` once; its wall time, and the peak RSS it reached above the RSS it started from."""
    was_reset = reset_peak()
    before = rss_kb()
    started, cpu_started = time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return Measured(value, wall, cpu, before, peak_kb(), was_reset)
