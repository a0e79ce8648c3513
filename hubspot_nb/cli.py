"""The ``hubspot-nb`` command.

    hubspot-nb sandbox [--port 8750] [--profile fast|hubspot] [--seed 7] [--contacts N] …
    hubspot-nb app init [DIR] [--name …] [--redirect-port 8765] [--for crm|analysis] [--scopes …] …

``sandbox`` runs the local HubSpot look-alike until Ctrl-C and prints how to point code at it.
``app init`` writes a HubSpot project (``hsproject.json`` + ``src/app/app-hsmeta.json``) for the
notebook's OAuth app and prints the next steps: upload it, copy its credentials, set the variables.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from .auth.project import DEFAULT_NAME, DEFAULT_REDIRECT_PORT, AppProject, redirect_for_port
from .auth.settings import SCOPE_PRESETS
from .errors import ConfigError
from .sandbox.config import PROFILES
from .sandbox.scopes import ALL_SCOPES


def _sandbox_parser(commands: Any) -> None:
    p = commands.add_parser(
        "sandbox",
        help="run the local HubSpot sandbox until Ctrl-C",
        description="Run the local HubSpot look-alike (OAuth app, CRM and marketing data) until Ctrl-C.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    p.add_argument(
        "--port", type=int, default=8750, help="port to bind; 0 = a free port (default: %(default)s)"
    )
    p.add_argument("--profile", choices=sorted(PROFILES), default="fast", help="fast: no latency or limits; "
                   "hubspot: HubSpot-like latency and rate limits (default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--seed", type=int, default=7, help="data seed: same seed, same portal (default: %(default)s)"
    )
    for name in ("contacts", "companies", "deals", "tickets"):
        p.add_argument(f"--{name}", type=int, metavar="N", help=f"number of {name} to generate")
    p.add_argument("--latency-ms", type=float, help="fixed latency added to every API response")
    p.add_argument("--per-record-ms", type=float, help="extra latency per record returned")
    p.add_argument("--fault-rate", type=float, help="share of API requests that get an injected fault (0-1)")
    p.add_argument("--burst", type=int, help="requests allowed per burst window per install (0 = unlimited)")
    p.add_argument("--search-rps", type=int, help="search requests allowed per second (0 = unlimited)")
    p.add_argument(
        "--token-lifetime", type=float, metavar="SECONDS", help="access-token lifetime (default 1800)"
    )
    p.add_argument(
        "--rotate-refresh-tokens", action="store_true", help="each refresh returns a new refresh token"
    )
    p.add_argument("--private-token", action="append", default=[], metavar="pat-na1-…",
                   help="accept this private-app token (repeatable)")  # fmt: skip
    p.add_argument("--service-key", action="append", default=[], metavar="KEY",
                   help="accept this service key: every scope but oauth (repeatable)")  # fmt: skip
    p.add_argument("--service-key-account-info", choices=("allowed", "needs_oauth_scope"),
                   help="does account info answer keys? (unconfirmed at HubSpot)")  # fmt: skip
    p.add_argument("--public-url", help="base URL browsers use, e.g. behind jupyter-server-proxy")
    p.add_argument(
        "--app-scopes",
        metavar='"SCOPE …"',
        help="the built-in app's required scopes, as in app-hsmeta.json (default: none)",
    )
    p.add_argument(
        "--app-optional-scopes",
        metavar='"SCOPE …"',
        help="the built-in app's optional scopes (default: every scope the sandbox knows)",
    )
    p.add_argument(
        "--portal-scopes",
        metavar='"SCOPE …"',
        help="scopes the portal's products offer (default: every scope the sandbox knows)",
    )
    p.set_defaults(run=run_sandbox)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"host": args.host, "port": args.port, "seed": args.seed}
    renames = {"token_lifetime": "token_lifetime_s"}
    for name in (
        "contacts", "companies", "deals", "tickets", "latency_ms", "per_record_ms", "fault_rate",
        "burst", "search_rps", "token_lifetime", "public_url", "app_scopes", "app_optional_scopes",
        "portal_scopes",
    ):  # fmt: skip
        value = getattr(args, name)
        if value is not None:
            options[renames.get(name, name)] = value
    if args.rotate_refresh_tokens:
        options["rotate_refresh_tokens"] = True
    if args.private_token:
        options["private_tokens"] = args.private_token
    if args.service_key:
        options["service_keys"] = args.service_key
    if args.service_key_account_info:
        options["service_key_account_info"] = args.service_key_account_info
    return options


def banner(sb: Any) -> str:
    base, public = sb.base_url, sb.public_url
    private = f"\n  Private-app tokens accepted: {len(sb.config.private_tokens)}" if sb.private_token else ""
    keys = ""
    if sb.service_key:
        keys = (
            f"\n\nService keys accepted: {len(sb.config.service_keys)} (no OAuth needed):\n"
            f'    hub = hnb.login(service_key=KEY, api_base="{base}")'
        )
    if sb.config.app_scopes or tuple(sb.config.app_optional_scopes) != ALL_SCOPES:
        required = " ".join(sb.config.app_scopes) or "(none)"
        optional = " ".join(sb.config.app_optional_scopes) or "(none)"
        private += f"\n  App scopes:     required: {required}\n                  optional: {optional}"
    return f"""\
hubspot_nb sandbox running (profile {sb.config.profile}, seed {sb.config.seed}, hub id {sb.hub_id})
  API base URL:   {base}
  Authorize URL:  {public}/oauth/authorize
  Client ID:      {sb.client_id}
  Client secret:  {sb.client_secret}
  Redirect URIs:  {sb.callback_url}  (shows the code to paste)
                  any http://localhost:PORT/… or http://127.0.0.1:PORT/… URL{private}
  Controls:       {base}/_sandbox/stats, /_sandbox/config, /_sandbox/expire-tokens

In Python:
    import hubspot_nb as hnb
    hub = hnb.login(client_id="{sb.client_id}", client_secret="{sb.client_secret}",
                    redirect_uri="{sb.callback_url}",
                    api_base="{base}", app_base="{public}")
    hub.contacts(){keys}

Press Ctrl-C to stop."""


def run_sandbox(args: argparse.Namespace) -> int:
    from .sandbox import start  # builds data: import only when asked

    # Ctrl-C and SIGTERM (docker stop, kill) only set a flag: the main thread then stops the
    # sandbox itself, so no signal can land half-way through start-up or shutdown as a traceback.
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print("Building the sandbox portal…", flush=True)
    try:
        sb = start(args.profile, **_options(args))
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
            "Stop the other server or pass --port 0 for a free port.",
            file=sys.stderr,
        )
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if not stop.is_set():
            print(banner(sb), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sb.stop()
    print("\nSandbox stopped.", flush=True)
    return 0


def _app_parser(commands: Any) -> None:
    app = commands.add_parser(
        "app",
        help="make the HubSpot app the notebooks log in with",
        description="Make the HubSpot OAuth app the notebooks log in with (a HubSpot CLI project).",
    )
    app_commands = app.add_subparsers(dest="app_command", metavar="SUBCOMMAND")
    p = app_commands.add_parser(
        "init",
        help="write a HubSpot project for the notebook's OAuth app",
        description="Write hsproject.json and src/app/app-hsmeta.json (OAuth, private distribution, "
        "a http://localhost redirect URL, the scopes login() asks for) and print the next steps.",
    )
    p.add_argument(
        "directory",
        nargs="?",
        default="hubspot-nb-app",
        metavar="DIR",
        help="where to write the project (default: %(default)s)",
    )
    p.add_argument("--name", default=DEFAULT_NAME, help="the app's name in HubSpot (default: %(default)s)")
    p.add_argument(
        "--redirect-port",
        type=int,
        default=DEFAULT_REDIRECT_PORT,
        metavar="PORT",
        help="redirect URL http://localhost:PORT/callback (default port: %(default)s)",
    )
    p.add_argument(
        "--redirect-uri",
        metavar="URL",
        help="a redirect URL of your own instead (https, or http://localhost)",
    )
    p.add_argument(
        "--for",
        dest="preset",
        choices=sorted(SCOPE_PRESETS),
        default="crm",
        help="crm: the CRM object reads only; analysis: plus the marketing, analytics, tickets "
        "and owners scopes as optional (default: %(default)s)",
    )
    p.add_argument("--scopes", metavar='"SCOPE …"', help="required scopes instead of the preset's")
    p.add_argument("--optional-scopes", metavar='"SCOPE …"', help="optional scopes instead of the preset's")
    p.add_argument("--force", action="store_true", help="replace an existing project's files")
    p.set_defaults(run=run_app_init)
    app.set_defaults(run=lambda _args: _usage(app))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_app_init(args: argparse.Namespace) -> int:
    required, optional = SCOPE_PRESETS[args.preset]
    try:
        project = AppProject(
            name=args.name,
            redirect_uri=args.redirect_uri or redirect_for_port(args.redirect_port),
            scopes=list(required) if args.scopes is None else args.scopes,
            optional_scopes=list(optional) if args.optional_scopes is None else args.optional_scopes,
        )
        project.write(args.directory, force=args.force)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: cannot write the project in {args.directory} ({exc.strerror or exc}).", file=sys.stderr
        )
        return 2
    print(project.next_steps(args.directory))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubspot-nb", description="HubSpot in Jupyter notebooks.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _sandbox_parser(commands)
    _app_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
