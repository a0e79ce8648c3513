"""The token cache: one private JSON file per app and portal, so tomorrow's notebook needs no login.

Layout (directory ``HUBSPOT_NB_CACHE_DIR``, else ``platformdirs.user_config_dir("hubspot_nb")``)::

    <dir>/                      0700
      current.json              0600  {"client_id": …, "hub_id": …}: the most recent login
      tokens/<client_id>/       0700
        <hub_id>.json           0600  access + refresh token, expires_at, scopes, api_base …
        <hub_id>.json.lock            the cross-process refresh lock
      keys/                     0700
        <hub_id>.json           0600  a service key for that portal (no app, nothing to refresh);
        key-<digest>.json       0600  … or named by a digest of the key while its portal is unknown

What is stored, and why the client secret is in it: refreshing needs the refresh token *and* the
app's client secret. Both are equally sensitive (either alone is not enough; together they mint
tokens until the app is uninstalled), so they live in the same 0600 file, readable only by you.
A secret given later by argument or environment still wins over the stored one. On shared
machines or Binder, pass ``cache=False`` to keep everything in memory only.

Writes are atomic (temp file ``.<name>.<random>.tmp`` in the same directory, fsync, ``os.replace``),
so a crash or a second process never leaves half a file; an unreadable file is logged (path only,
never its content) and treated as absent. A process killed mid-write leaves its temp file behind;
the next write of the same file removes such leftovers once they are a minute old (a live writer's
temp file lives for milliseconds, so a fresh one is never touched).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import filelock

from .settings import ENV

log = logging.getLogger("hubspot_nb.auth.cache")

LOCK_TIMEOUT_S = 60.0
STALE_TEMP_S = 60.0  # a temp file this old belongs to a writer that died before its rename


def default_directory() -> Path:
    env = os.environ.get(ENV["cache_dir"])
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("hubspot_nb", appauthor=False))


def _safe_name(value: str) -> str:
    """A file-system-safe, collision-free name for a client id."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", value)[:80]
    if clean != value or clean in ("", ".", ".."):
        clean = f"{clean}-{hashlib.sha256(value.encode()).hexdigest()[:12]}"
    return clean


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        path.chmod(0o700)  # mkdir's mode is filtered by the umask and ignored for existing dirs


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temps(path: Path, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Delete temp files that writes of ``path`` left behind (killed before the rename) once they are
    ``older_than_s`` seconds old; returns what was removed. Other files are never touched."""
    prefix, cutoff = _temp_prefix(path), time.time() - older_than_s
    removed = []
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):  # gone already (another process cleaned it), or not ours
                if (
                    entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff
                ):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def write_private_json(path: Path, data: Any) -> None:
    """Atomically replace ``path`` with ``data`` as JSON, mode 0600 from the first byte."""
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        # Type name only: a JSON error message could quote the file, which holds secrets.
        log.warning("hubspot_nb: ignoring unreadable token cache file %s (%s)", path, type(exc).__name__)
        return None


class TokenCache:
    """Read and write cached tokens. Cheap to create; holds no open files."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory else default_directory()

    def __repr__(self) -> str:
        return f"TokenCache({str(self.directory)!r})"

    # -- paths -------------------------------------------------------------------------------
    def path(self, client_id: str, hub_id: int) -> Path:
        return self.directory / "tokens" / _safe_name(client_id) / f"{int(hub_id)}.json"

    def _ensure_dirs(self, client_id: str) -> None:
        _private_dir(self.directory)
        _private_dir(self.directory / "tokens")
        _private_dir(self.directory / "tokens" / _safe_name(client_id))

    def lock(self, client_id: str, hub_id: int) -> filelock.FileLock:
        """The cross-process lock that guards refreshing (and rewriting) one entry."""
        self._ensure_dirs(client_id)
        return filelock.FileLock(
            str(self.path(client_id, hub_id)) + ".lock", timeout=LOCK_TIMEOUT_S, mode=0o600
        )

    # -- entries -------------------------------------------------------------------------------
    def load(self, client_id: str, hub_id: int) -> dict[str, Any] | None:
        record = _read_json(self.path(client_id, hub_id))
        if record is None:
            return None
        if not isinstance(record, dict) or not record.get("access_token"):
            log.warning("hubspot_nb: ignoring malformed token cache entry %s", self.path(client_id, hub_id))
            return None
        return record

    def save(self, record: dict[str, Any], *, make_current: bool = True) -> Path:
        client_id, hub_id = record["client_id"], record["hub_id"]
        self._ensure_dirs(client_id)
        path = self.path(client_id, hub_id)
        write_private_json(path, record)
        if make_current:
            write_private_json(self.directory / "current.json", {"client_id": client_id, "hub_id": hub_id})
        return path

    def delete(self, client_id: str, hub_id: int) -> bool:
        """Remove an entry (and the pointer to it). True if there was one."""
        path = self.path(client_id, hub_id)
        existed = path.exists()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        current = self.current()
        if current == (client_id, int(hub_id)):
            with contextlib.suppress(FileNotFoundError):
                (self.directory / "current.json").unlink()
        return existed

    def current(self) -> tuple[str, int] | None:
        """(client_id, hub_id) of the most recent login, if its pointer is readable."""
        pointer = _read_json(self.directory / "current.json")
        if not isinstance(pointer, dict) or "client_id" not in pointer or "hub_id" not in pointer:
            return None
        try:
            return str(pointer["client_id"]), int(pointer["hub_id"])
        except (TypeError, ValueError):
            return None

    # -- service keys (one per portal, no app) --------------------------------------------------
    @staticmethod
    def key_name(hub_id: int | None, key: str) -> str:
        """The entry name of a service key: its portal, or a digest of the key if that is unknown."""
        if hub_id is not None:
            return str(int(hub_id))
        return "key-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def key_path(self, name: str) -> Path:
        return self.directory / "keys" / f"{_safe_name(name)}.json"

    def save_key(self, record: dict[str, Any]) -> Path:
        """Save a service key's record (``Token.to_record()``), atomically and 0600."""
        if record.get("kind") != "service-key" or not record.get("access_token"):
            raise ValueError("save_key takes the record of a service key")
        _private_dir(self.directory)
        _private_dir(self.directory / "keys")
        path = self.key_path(self.key_name(record.get("hub_id"), record["access_token"]))
        write_private_json(path, record)
        return path

    def delete_key(self, hub_id: int | None, key: str) -> bool:
        """Forget a cached service key. True if there was one."""
        path = self.key_path(self.key_name(hub_id, key))
        existed = path.exists()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return existed

    def keys(self) -> list[dict[str, Any]]:
        """Every readable cached service key, most recently saved first."""
        found = []
        for path in (self.directory / "keys").glob("*.json"):
            record = _read_json(path)
            if (
                isinstance(record, dict)
                and record.get("access_token")
                and record.get("kind") == "service-key"
            ):
                found.append(record)
            elif record is not None:
                log.warning("hubspot_nb: ignoring malformed service-key cache entry %s", path)
        found.sort(key=lambda r: r.get("saved_at") or 0.0, reverse=True)
        return found

    def find_key(self, hub_id: int | None = None, api_base: str | None = None) -> dict[str, Any] | None:
        """The newest cached service key for ``hub_id`` (any portal if None) and ``api_base``."""
        return next((r for r in self.keys() if _matches(r, hub_id=hub_id, api_base=api_base)), None)

    def entries(self) -> list[dict[str, Any]]:
        """Every readable OAuth entry, most recently saved first."""
        found = []
        for path in (self.directory / "tokens").glob("*/*.json"):
            record = _read_json(path)
            if isinstance(record, dict) and record.get("access_token") and record.get("client_id"):
                found.append(record)
        found.sort(key=lambda r: r.get("saved_at") or 0.0, reverse=True)
        return found

    def find(
        self, client_id: str | None = None, hub_id: int | None = None, api_base: str | None = None
    ) -> dict[str, Any] | None:
        """The entry to use: the one named, else the current one if it matches, else the newest match."""
        if client_id is not None and hub_id is not None:
            record = self.load(client_id, hub_id)
            if record and (api_base is None or record.get("api_base") == api_base):
                return record
            return None
        current = self.current()
        if current is not None:
            cid, hid = current
            if (client_id in (None, cid)) and (hub_id in (None, hid)):
                record = self.load(cid, hid)
                if record and (api_base is None or record.get("api_base") == api_base):
                    return record
        wanted = {"client_id": client_id, "hub_id": hub_id, "api_base": api_base}
        return next((r for r in self.entries() if _matches(r, **wanted)), None)


def _matches(record: dict[str, Any], **wanted: Any) -> bool:
    """Whether ``record`` has every field ``wanted`` names (None: any value; hub ids compare as ints)."""
    for field, value in wanted.items():
        if value is not None and record.get(field) != (int(value) if field == "hub_id" else value):
            return False
    return True
