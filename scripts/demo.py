"""The two hands-on demos, both against the sandbox (no HubSpot account needed).

    python scripts/demo.py          # `make demo`: marketing + funnel notebooks run headless, HTML reports
    python scripts/demo.py --lab    # `make lab`: JupyterLab on notebooks/, a sandbox beside it

The report run starts a sandbox in this process, points each notebook's kernel at it through the
ordinary settings (``HUBSPOT_API_BASE`` and a private-app token the sandbox was told to accept, so
no login step is needed without a human), executes the notebooks with nbclient and exports each
to its own HTML page with nbconvert. Charts are PNGs embedded in the HTML, so the reports open
offline. The notebooks' first output says "Sandbox at http://127.0.0.1:…": a loopback API is a
sandbox (``Hub.where``), whatever credential reached it.

The Lab run starts JupyterLab on notebooks/ and stops it (and its kernels) on Ctrl-C. Notebooks
opened there without HubSpot settings start the sandbox inside their kernel, as on Binder, and log
in with the OAuth widget as a user would.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
DEFAULT_NOTEBOOKS = [
    NOTEBOOKS / "03_marketing_performance.ipynb",
    NOTEBOOKS / "04_funnel_and_attribution.ipynb",
]
DEFAULT_OUT = Path("demo-output")
# The fast profile plus a little latency: the report still shows paging and progress honestly, and
# the whole demo finishes in seconds. (The hubspot profile's rate limits would make it minutes.)
DEMO_SANDBOX = {"profile": "fast", "latency_ms": 15.0}
# Variables that would send the kernel to a real HubSpot account: the demos never pass them on.
HUBSPOT_SETTINGS = ("HUBSPOT_",)


def _say(message: str) -> None:
    print(message, flush=True)


def _free_port(preferred: int | None = None) -> int:
    if preferred:
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", preferred))
            return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sandbox_free_env(cache_dir: Path) -> dict[str, str]:
    """This process's env minus every HUBSPOT_* setting, with a throwaway token cache: the demos
    must never touch a real account's settings or cached tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(HUBSPOT_SETTINGS)}
    env["HUBSPOT_NB_CACHE_DIR"] = str(cache_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def _sandbox(**options: Any) -> Iterator[Any]:
    from hubspot_nb.sandbox import run

    with run(port=0, **options) as sb:
        yield sb


# -- the report ----------------------------------------------------------------------------------
def execute_notebook(path: Path, env: dict[str, str], timeout: int = 300) -> tuple[Any, float, str | None]:
    """Run ``path`` top to bottom in a fresh kernel with ``env``; the notebook's folder is the cwd.

    Returns (executed notebook, seconds, error summary or None). A failing cell stops the run; the
    notebook returned then holds the outputs up to and including the failure, for the report.
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory(prefix="hubspot-nb-kernel-") as sockets:
        # Local sockets where the OS has them: over TCP, ipykernel warns (rightly, for a shared
        # machine) that anyone on this host could talk to the kernel.
        local = {} if os.name == "nt" else {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}
        km = KernelManager(kernel_name="python3", **local)
        where = {"metadata": {"path": str(path.parent)}}
        client = NotebookClient(nb, km=km, timeout=timeout, resources=where)
        try:
            client.execute(env=env, cleanup_kc=True)  # shut the kernel down: we made its manager
        except CellExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}"
    return nb, time.perf_counter() - started, error


# JupyterLab's page without the scripts it fetches from a CDN (require.js, MathJax): the report
# has no widgets or formulas, and it must open offline.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


def export_html(nb: Any, target: Path) -> Path:
    """Write ``nb`` as a standalone HTML page: images inline, no script loaded from anywhere
    (widget state dropped, so widgets fall back to their text form)."""
    import copy

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"hubspot_nb_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="hubspot_nb_offline.html.j2",
    )
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")
    return target


def report(notebooks: list[Path], out_dir: Path, sandbox_options: dict[str, Any]) -> int:
    """Run each notebook against one sandbox and write ``<stem>.html`` and ``<stem>.ipynb`` per
    notebook into ``out_dir``; stop at the first that fails (its partial run is kept)."""
    import nbformat

    for notebook in notebooks:
        if not notebook.exists():
            _say(
                f"error: {notebook} does not exist. Run the demo from a checkout of the repository "
                f"(it needs the notebooks/ folder) or pass --notebook PATH."
            )
            return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    private_token = f"pat-na1-{uuid.uuid4()}"  # accepted by this sandbox only, gone when it stops
    written: list[tuple[Path, Path]] = []
    with (
        tempfile.TemporaryDirectory(prefix="hubspot-nb-demo-") as tmp,
        _sandbox(private_tokens=[private_token], **sandbox_options) as sb,
    ):
        _say(
            f"sandbox running at {sb.base_url} (profile {sb.config.profile}, "
            f"latency {sb.config.latency_ms:g} ms)"
        )
        env = _sandbox_free_env(Path(tmp) / "token-cache")
        env.update(HUBSPOT_API_BASE=sb.base_url, HUBSPOT_ACCESS_TOKEN=private_token)
        for notebook in notebooks:
            _say(f"executing {notebook.name} …")
            nb, seconds, error = execute_notebook(notebook, env)
            executed = out_dir / f"{notebook.stem}.ipynb"
            nbformat.write(nb, executed)
            html = export_html(nb, out_dir / f"{notebook.stem}.html")
            charts = html.read_text(encoding="utf-8").count("data:image/png;base64,")
            if error:
                _say(
                    f"error: the notebook stopped at a failing cell ({error}).\n"
                    f"The partial run is in {executed.resolve()}; open it to see the failing cell."
                )
                return 1
            _say(f"executed {notebook.name} in {seconds:.1f} s; {charts} chart(s) embedded")
            written.append((html, executed))
    _say(f"total {time.perf_counter() - t0:.1f} s")
    for html, executed in written:
        _say(f"report:   {html.resolve()}")
        _say(f"notebook: {executed.resolve()}")
    return 0


# -- JupyterLab ------------------------------------------------------------------------------------
def lab(root: Path, port: int | None, open_browser: bool, extra_args: list[str]) -> int:
    """JupyterLab on ``root`` until Ctrl-C. No sandbox is started here: each notebook run without
    HubSpot settings starts its own inside its kernel (``login(sandbox=True)``), exactly as on
    Binder, so what you try locally is what Binder users get."""
    if not root.is_dir():
        _say(f"error: {root} is not a folder. Run from a checkout of the repository or pass --root.")
        return 2
    lab_port = _free_port(port if port is not None else 8888)
    token = secrets.token_hex(16)
    stop = _stop_on_sigterm()
    cmd = [
        sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={lab_port}",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0",
    ]  # fmt: skip
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Lab refuses to start as root otherwise (containers, CI)
    cmd += extra_args
    # Its own session: a Ctrl-C in the terminal reaches only us, and we stop Lab cleanly
    # (instead of Lab asking "Shutdown this Jupyter server (y/[n])?").
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    mode = "your HubSpot portal" if any(k.startswith(HUBSPOT_SETTINGS) for k in os.environ) else "the sandbox"
    _say(f"JupyterLab: http://127.0.0.1:{lab_port}/lab?token={token}")
    _say(f"Notebooks: {root} (they will use {mode}; without HUBSPOT_* settings each notebook starts")
    _say("           its own sandbox in its kernel, as on Binder). Open 01_login.ipynb to begin.")
    _say("Press Ctrl-C here to stop JupyterLab.")
    try:
        while proc.poll() is None and not stop["requested"]:
            time.sleep(0.2)
    except KeyboardInterrupt:
        stop["requested"] = True
    finally:
        _stop_process(proc)
    _say("JupyterLab stopped.")
    return 0 if stop["requested"] else (proc.returncode or 0)


def _stop_on_sigterm() -> dict[str, bool]:
    """SIGTERM (from a test or a process manager) ends the Lab run like Ctrl-C does."""
    flag = {"requested": False}

    def handler(signum: int, frame: Any) -> None:
        flag["requested"] = True

    signal.signal(signal.SIGTERM, handler)
    return flag


def _stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM Lab's process group (Lab then shuts its kernels down), SIGKILL if it hangs."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# -- command line ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/demo.py",
        description="Run a notebook headless against the sandbox and write an HTML report, "
        "or (--lab) open JupyterLab on notebooks/ (notebooks start the sandbox in their kernel).",
    )
    parser.add_argument("--lab", action="store_true", help="open JupyterLab instead of writing a report")
    parser.add_argument(
        "--notebook",
        type=Path,
        action="append",
        help="notebook to run (report; repeat for several; default: 03 and 04 of notebooks/)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default demo-output/)")
    parser.add_argument("--root", type=Path, default=NOTEBOOKS, help="folder JupyterLab serves (--lab)")
    parser.add_argument(
        "--port", type=int, default=None, help="JupyterLab port (--lab; default 8888 or a free one)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser (--lab)")
    parser.add_argument("--latency-ms", type=float, default=None, help="sandbox latency per request (report)")
    parser.add_argument("--profile", choices=("fast", "hubspot"), help="sandbox profile (report)")
    args, extra = parser.parse_known_args(argv)
    if extra and not args.lab:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    options: dict[str, Any] = {}
    if args.profile:
        options["profile"] = args.profile
        if args.profile != "fast":
            options["latency_ms"] = None  # take the profile's own latency
    if args.latency_ms is not None:
        options["latency_ms"] = args.latency_ms
    options = {k: v for k, v in {**DEMO_SANDBOX, **options}.items() if v is not None}
    if args.lab:
        return lab(args.root.resolve(), args.port, not args.no_browser, extra)
    return report([p.resolve() for p in args.notebook or DEFAULT_NOTEBOOKS], args.out, options)


if __name__ == "__main__":
    sys.exit(main())
