"""The sandbox in a process of its own, and a small client for its ``/_sandbox/*`` controls.

The benchmark runs the sandbox apart from every contender so that the sandbox's memory is never
counted as the contender's and its CPU work does not share a GIL with the client being measured.

Run as a script it is the child: it reads the sandbox options (JSON) from stdin, starts the sandbox
on a free port, prints one JSON line ``{"base_url": …, "pid": …}`` and serves until stdin closes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from typing import Any

import requests

START_TIMEOUT_S = 600  # a 100,000-contact portal takes a while to generate


class Control:
    """The sandbox's control endpoints (no token needed), over plain HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        resp = self.http.request(method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=60)
        if resp.status_code >= 400:
            raise RuntimeError(
                f"sandbox control {method} /_sandbox/{path} answered {resp.status_code}: {resp.text[:300]}"
            )
        return resp.json() if resp.content else None

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")

    def reset_stats(self) -> None:
        self._call("POST", "reset-stats")

    def configure(self, **knobs: Any) -> Any:
        return self._call("POST", "config", knobs)

    def touch(self, object_type: str, fraction: float) -> list[str]:
        body = self._call("POST", "touch", {"object_type": object_type, "fraction": fraction})
        ids = body.get("ids", body) if isinstance(body, dict) else body
        return [str(i) for i in ids]


class SandboxProcess:
    """``with SandboxProcess(options) as sb: sb.base_url, sb.control`` — a sandbox in a child process."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.control: Control | None = None
        self.started_in_s = 0.0

    def __enter__(self) -> SandboxProcess:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(self.options) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()  # blocks until the child is serving (or died)
        if not line:
            code = self.proc.wait(timeout=START_TIMEOUT_S)
            raise RuntimeError(
                f"the sandbox process exited with code {code} before serving; see its stderr above"
            )
        self.base_url = json.loads(line)["base_url"]
        self.control = Control(self.base_url)
        self.started_in_s = time.perf_counter() - started
        return self

    def peak_rss_kb(self) -> int | None:
        """The sandbox process's own peak RSS (reported for context, never counted for a contender)."""
        if self.proc is None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                match = re.search(r"^VmHWM:\s+(\d+) kB", fh.read(), re.MULTILINE)
        except OSError:
            return None
        return int(match.group(1)) if match else None

    def cpu_seconds(self) -> float | None:
        """CPU time the sandbox process has used so far (user + system): per step, it shows when the
        server rather than the client is what a pull waits for."""
        if self.proc is None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()  # the child's signal to stop
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _serve() -> None:
    from hubspot_nb.sandbox import run

    options = json.loads(sys.stdin.readline())
    with run(port=0, **options) as sb:
        print(json.dumps({"base_url": sb.base_url, "pid": os.getpid()}), flush=True)
        sys.stdin.read()  # returns when the parent closes our stdin (or dies)


if __name__ == "__main__":
    _serve()
