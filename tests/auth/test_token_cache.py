"""The token cache on disk: private modes, atomic writes, several portals side by side, corrupt files,
``connect()`` picking an entry, and ``logout`` revoking at the sandbox and forgetting locally."""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import time

import pytest
import requests
from helpers import SMALL, login

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache, default_directory


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def record(client_id="app-1", hub_id=101, **extra):
    """A cache entry as Token.to_record() writes it (for tests of the file layer alone)."""
    base = {
        "kind": "oauth",
        "access_token": f"at-{client_id}-{hub_id}-0123456789abcdef",
        "refresh_token": f"rt-{client_id}-{hub_id}-0123456789abcdef",
        "expires_at": time.time() + 1800,
        "lifetime_s": 1800.0,
        "client_id": client_id,
        "client_secret": "cs-0123456789abcdef",
        "hub_id": hub_id,
        "scopes": ["oauth"],
        "token_endpoint": "2026-03",
        "api_base": "https://api.hubapi.com",
        "user": None,
        "hub_domain": None,
        "saved_at": time.time(),
    }
    return {**base, **extra}


def test_files_are_private_whatever_the_umask(sandbox, tmp_path):
    old = os.umask(0)  # the most permissive umask: modes must still be 0700/0600
    try:
        store = TokenCache(tmp_path / "cache")
        hub = login(sandbox, store)
        hub.token.refresh()  # takes the lock file too
    finally:
        os.umask(old)
    entry = store.path(sandbox.client_id, sandbox.hub_id)
    assert mode(store.directory) == 0o700
    assert mode(store.directory / "tokens") == 0o700
    assert mode(entry.parent) == 0o700
    assert mode(entry) == 0o600
    assert mode(store.directory / "current.json") == 0o600
    assert mode(str(entry) + ".lock") == 0o600
    leftovers = [p.name for p in entry.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []  # atomic writes leave no temp files behind


def test_saving_removes_temp_files_left_by_a_killed_writer(tmp_path):
    store = TokenCache(tmp_path)
    entry = store.save(record("app-1", 101))
    other = store.save(record("app-1", 202))

    def leftover(target, age_s):
        # What a writer killed between mkstemp and rename leaves: .<name>.<random>.tmp, 0600.
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.write(fd, b'{"access_token": "half')
        os.close(fd)
        os.utime(name, (time.time() - age_s, time.time() - age_s))
        return name

    stale = [leftover(entry, 3600), leftover(entry, 90), leftover(tmp_path / "current.json", 600)]
    fresh = leftover(entry, 5)  # could be a live writer's: never touched
    other_file = leftover(other, 3600)  # another entry's leftovers go when that entry is written
    unrelated = entry.parent / "notes.tmp"
    unrelated.write_text("mine")
    os.utime(unrelated, (time.time() - 3600, time.time() - 3600))

    store.save(record("app-1", 101))
    assert [p for p in stale if os.path.exists(p)] == []
    assert os.path.exists(fresh) and os.path.exists(other_file) and unrelated.exists()
    assert store.load("app-1", 101) is not None
    store.save(record("app-1", 202), make_current=False)
    assert not os.path.exists(other_file) and os.path.exists(fresh)


def test_existing_loose_directory_is_tightened(tmp_path):
    loose = tmp_path / "cache"
    loose.mkdir(mode=0o777)
    loose.chmod(0o777)
    TokenCache(loose).save(record())
    assert mode(loose) == 0o700


def test_cache_stores_what_refreshing_needs(sandbox, tmp_path):
    store = TokenCache(tmp_path)
    token = login(sandbox, store).token
    saved = json.loads(store.path(sandbox.client_id, sandbox.hub_id).read_text())
    assert saved["refresh_token"] and saved["access_token"] == token.access_token
    assert saved["client_id"] == sandbox.client_id and saved["client_secret"] == sandbox.client_secret
    assert saved["hub_id"] == sandbox.hub_id and saved["api_base"] == sandbox.base_url
    assert saved["token_endpoint"] == "2026-03" and "oauth" in saved["scopes"]
    assert abs(saved["expires_at"] - (time.time() + 1800)) < 30  # absolute, not expires_in
    assert json.loads((tmp_path / "current.json").read_text()) == {
        "client_id": sandbox.client_id,
        "hub_id": sandbox.hub_id,
    }


def test_default_directory_follows_env_then_platformdirs(monkeypatch, tmp_path):
    monkeypatch.setenv("HUBSPOT_NB_CACHE_DIR", str(tmp_path / "x"))
    assert default_directory() == tmp_path / "x"
    monkeypatch.delenv("HUBSPOT_NB_CACHE_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "hubspot_nb"


def test_several_portals_live_side_by_side(tmp_path):
    store = TokenCache(tmp_path)
    store.save(record("app-1", 101))
    store.save(record("app-1", 202))
    store.save(record("app/2 odd:id", 101))  # odd client ids still make one safe file name
    assert hnb.connect(cache_dir=tmp_path).token.client_id == "app/2 odd:id"  # the most recent
    assert hnb.connect(hub_id=202, cache_dir=tmp_path).token.hub_id == 202
    picked = hnb.connect(hub_id=101, client_id="app-1", cache_dir=tmp_path).token
    assert (picked.client_id, picked.hub_id) == ("app-1", 101)
    assert len({p.parent for p in (tmp_path / "tokens").glob("*/*.json")}) == 2
    with pytest.raises(hnb.NotLoggedIn, match="hub_id=303"):
        hnb.connect(hub_id=303, cache_dir=tmp_path)


def test_connect_with_nothing_cached_says_what_to_do(tmp_path):
    with pytest.raises(hnb.NotLoggedIn) as info:
        hnb.connect(cache_dir=tmp_path / "empty")
    assert "hnb.login()" in str(info.value)


def test_connect_uses_the_env_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_NB_CACHE_DIR", str(tmp_path))
    TokenCache(tmp_path).save(record("app-env", 7))
    assert hnb.connect().token.hub_id == 7


@pytest.mark.parametrize("garbage", ["{not json", "", "[1, 2]", '{"client_id": "app-1"}', "\x00\xff"])
def test_corrupt_cache_file_is_reported_and_ignored(tmp_path, caplog, garbage):
    store = TokenCache(tmp_path)
    path = store.save(record("app-1", 101))
    path.write_text(garbage + " sbx-rt-SECRETSECRETSECRET", encoding="utf-8", errors="ignore")
    with caplog.at_level(logging.WARNING, logger="hubspot_nb"):
        assert store.load("app-1", 101) is None
        with pytest.raises(hnb.NotLoggedIn):
            hnb.connect(cache_dir=tmp_path)
    assert str(path) in caplog.text
    assert "SECRET" not in caplog.text


def test_corrupt_pointer_falls_back_to_the_newest_entry(tmp_path, caplog):
    store = TokenCache(tmp_path)
    store.save(record("app-1", 101))
    (tmp_path / "current.json").write_text("{{{")
    with caplog.at_level(logging.WARNING, logger="hubspot_nb"):
        assert hnb.connect(cache_dir=tmp_path).token.hub_id == 101
    assert "current.json" in caplog.text


def test_secret_from_env_wins_over_the_stored_one(tmp_path, monkeypatch):
    TokenCache(tmp_path).save(record("app-1", 101))
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", "app-1")
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", "rotated-secret-0123456789")
    token = hnb.connect(cache_dir=tmp_path).token
    assert token.to_record()["client_secret"] == "rotated-secret-0123456789"


@pytest.mark.parametrize("version", ["2026-03", "v1"])
def test_logout_revokes_and_forgets(fresh_sandbox, tmp_path, version):
    sb = fresh_sandbox(**SMALL)
    store = TokenCache(tmp_path)
    hub = login(sb, store, token_endpoint=version)
    refresh_token = hub.token.to_record()["refresh_token"]
    assert hnb.logout(hub, cache_dir=tmp_path) is True
    counters = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert counters["revocations"] == 1
    route = (
        "DELETE /oauth/v1/refresh-tokens/{token}"
        if version == "v1"
        else f"POST /oauth/{version}/token/revoke"
    )
    assert counters["requests"][route] == 1
    lookup = requests.get(f"{sb.base_url}/oauth/v1/refresh-tokens/{refresh_token}", timeout=10)
    assert lookup.status_code == 400 and lookup.json()["status"] == "BAD_REFRESH_TOKEN"
    assert store.load(sb.client_id, sb.hub_id) is None
    assert not (tmp_path / "current.json").exists()
    with pytest.raises(hnb.NotLoggedIn, match="Logged out"):
        hub.token  # noqa: B018 - the property raises
    with pytest.raises(hnb.NotLoggedIn):
        hnb.connect(cache_dir=tmp_path)


def test_logout_without_network_still_forgets_locally(fresh_sandbox, tmp_path, caplog):
    sb = fresh_sandbox(**SMALL)
    store = TokenCache(tmp_path)
    hub = login(sb, store)
    sb.stop()
    with caplog.at_level(logging.WARNING, logger="hubspot_nb"):
        assert hnb.logout(hub, cache_dir=tmp_path) is False
    assert "Uninstall the app" in caplog.text
    assert store.load(sb.client_id, sb.hub_id) is None


def test_logout_of_the_most_recent_login(sandbox, tmp_path):
    store = TokenCache(tmp_path)
    login(sandbox, store)
    assert hnb.logout(cache_dir=tmp_path) is True
    assert store.entries() == []
