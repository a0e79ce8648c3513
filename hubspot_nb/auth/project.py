"""A HubSpot project for the notebook's OAuth app, as ``hubspot-nb app init`` writes it.

HubSpot no longer lets anyone create legacy public or private apps (hubspot-2026.md §4): an OAuth app
is now a *project* built with the HubSpot CLI. The project is two files::

    hsproject.json               {"name", "srcDir": "src", "platformVersion"}
    src/app/app-hsmeta.json      {"uid", "type": "app", "config": {"name", "distribution",
                                  "auth": {"type": "oauth", "redirectUrls", "requiredScopes",
                                           "optionalScopes", "conditionallyRequiredScopes"}, …}}

HubSpot refuses an install URL whose scopes differ from the app's (a required one missing, or one the
app is not configured with), so ``AppProject`` also says which ``HUBSPOT_SCOPES`` and
``HUBSPOT_OPTIONAL_SCOPES`` make ``login()`` ask for exactly the scopes written here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .settings import DEFAULT_OPTIONAL_SCOPES, DEFAULT_SCOPES, ENV, check_base_url, split_scopes

PLATFORM_VERSION = "2026.03"  # the CLI's default platform (2026.09 is in beta)
DEFAULT_NAME = "hubspot-nb notebooks"
DEFAULT_REDIRECT_PORT = 8765
PROJECT_FILE = "hsproject.json"
APP_FILE = "src/app/app-hsmeta.json"


def redirect_for_port(port: int) -> str:
    """The redirect URL the project registers: ``http://localhost:PORT/callback``. Nothing has to
    listen there: after approving, the browser's address bar holds the code the widget asks for."""
    if not 1 <= port <= 65535:
        raise ConfigError(f"The redirect port must be between 1 and 65535, not {port}.")
    return f"http://localhost:{port}/callback"


@dataclass
class AppProject:
    """What the project says about the app: its name, redirect URL and scopes."""

    name: str = DEFAULT_NAME
    redirect_uri: str = field(default_factory=lambda: redirect_for_port(DEFAULT_REDIRECT_PORT))
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    optional_scopes: list[str] = field(default_factory=lambda: list(DEFAULT_OPTIONAL_SCOPES))
    platform_version: str = PLATFORM_VERSION

    def __post_init__(self) -> None:
        self.name = " ".join(self.name.split())
        if not self.name or not _slug(self.name, "-"):
            raise ConfigError("The app needs a name with at least one letter or digit (--name).")
        check_base_url(self.redirect_uri, what="redirect URL")
        self.scopes = split_scopes(self.scopes) or []
        self.optional_scopes = [s for s in split_scopes(self.optional_scopes) or [] if s not in self.scopes]
        if not self.scopes:
            raise ConfigError("The app needs at least one required scope (--scopes), e.g. oauth.")
        bad = [s for s in self.scopes + self.optional_scopes if not re.fullmatch(r"[A-Za-z0-9._-]+", s)]
        if bad:
            raise ConfigError(
                f"Not a HubSpot scope name: {', '.join(map(repr, bad))}. Scope names look like "
                "crm.objects.contacts.read; separate them with spaces or commas."
            )

    # -- the files ----------------------------------------------------------------------------------
    def project_json(self) -> dict[str, object]:
        return {"name": _slug(self.name, "-"), "srcDir": "src", "platformVersion": self.platform_version}

    def app_json(self) -> dict[str, object]:
        return {
            "uid": _slug(self.name, "_")[:64],
            "type": "app",
            "config": {
                "name": self.name,
                "description": "Reads HubSpot data into Jupyter notebooks with hubspot_nb.",
                "distribution": "private",
                "auth": {
                    "type": "oauth",
                    "redirectUrls": [self.redirect_uri],
                    "requiredScopes": list(self.scopes),
                    "optionalScopes": list(self.optional_scopes),
                    "conditionallyRequiredScopes": [],
                },
                "permittedUrls": {"fetch": [], "iframe": [], "img": []},
            },
        }

    def files(self) -> dict[str, str]:
        """Relative path -> file text."""
        return {PROJECT_FILE: _dump(self.project_json()), APP_FILE: _dump(self.app_json())}

    def write(self, directory: str | Path, *, force: bool = False) -> list[Path]:
        """Write the project into ``directory``; refuses to replace its files unless ``force``."""
        root = Path(directory)
        targets = {rel: root / rel for rel in self.files()}
        existing = [str(p) for p in targets.values() if p.exists()]
        if existing and not force:
            raise ConfigError(
                f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: not "
                "overwriting a HubSpot project. Pick another directory, or pass --force to replace them."
            )
        written = []
        for rel, text in self.files().items():
            path = targets[rel]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

    # -- what the notebook needs ---------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        """The ``HUBSPOT_*`` values that make ``login()`` ask for exactly this app's scopes."""
        return {
            ENV["redirect_uri"]: self.redirect_uri,
            ENV["scopes"]: " ".join(self.scopes),
            ENV["optional_scopes"]: " ".join(self.optional_scopes),
        }

    def next_steps(self, directory: str | Path) -> str:
        root = Path(directory)
        values = {
            ENV["client_id"]: "<client ID from the Auth tab>",
            ENV["client_secret"]: "<client secret from the Auth tab>",
            **self.environment(),
        }
        exports = "\n".join(f'       export {name}="{value}"' for name, value in values.items())
        optional = " ".join(self.optional_scopes) or "(none)"
        return f"""\
Wrote a HubSpot project for the OAuth app "{self.name}" in {root}:
  {root / PROJECT_FILE}
  {root / APP_FILE}   (OAuth, private distribution)
  Redirect URL:     {self.redirect_uri}
  Required scopes:  {" ".join(self.scopes)}
  Optional scopes:  {optional}

Next steps:
  1. Install the HubSpot CLI (npm install -g @hubspot/cli) and connect it to your HubSpot
     developer account: hs init   (or hs auth)
  2. Upload and deploy the app:
       cd {root} && hs project upload
  3. Open the project in HubSpot (the CLI prints its link), open the app's Auth tab and copy
     the client ID and the client secret.
  4. Set these where Jupyter runs (shell profile, .env, or the notebook server's environment):
{exports}
  5. In a notebook:  import hubspot_nb as hnb;  hub = hnb.login()

HUBSPOT_SCOPES and HUBSPOT_OPTIONAL_SCOPES must stay equal to requiredScopes and optionalScopes in
{APP_FILE}: HubSpot refuses a login whose scopes differ from the app's. After editing the file,
run hs project upload again and update both variables."""


def read_project(directory: str | Path) -> AppProject:
    """The ``AppProject`` an existing project describes (its app file's name, first redirect, scopes)."""
    path = Path(directory) / APP_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        config = data["config"]
        auth = config["auth"]
        return AppProject(
            name=config["name"],
            redirect_uri=auth["redirectUrls"][0],
            scopes=list(auth.get("requiredScopes") or []),
            optional_scopes=list(auth.get("optionalScopes") or []),
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ConfigError(f"Cannot read the HubSpot app in {path} ({type(exc).__name__}: {exc}).") from None


def _slug(name: str, sep: str) -> str:
    return re.sub(r"[^a-z0-9]+", sep, name.lower()).strip(sep)


def _dump(data: dict[str, object]) -> str:
    return json.dumps(data, indent=2) + "\n"
