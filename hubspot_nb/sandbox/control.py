"""The sandbox's own control endpoints, for tests, benchmarks and demos (no token needed).

    GET  /_sandbox/health         {"status": "ok", …}
    GET  /_sandbox/stats          counters: requests per route template and per API version,
                                  responses per status, 429s, faults … (see ``stats``)
    POST /_sandbox/reset-stats    zero the counters
    GET  /_sandbox/config         the knobs that can change at run time, and their values
    POST /_sandbox/config         JSON {knob: value, …}; all applied or none (400 lists valid knobs)
    POST /_sandbox/expire-tokens  every live access token expires now (refresh tokens keep working)

The sandbox binds loopback by default; these endpoints are for whoever runs it.
"""

from __future__ import annotations

import copy
from typing import Any

from .config import FAULT_KINDS, RUNTIME_KNOBS
from .host import Host
from .routing import ApiError, Request, Router

router = Router()


def knobs(sb: Host) -> dict[str, Any]:
    return {name: getattr(sb.config, name) for name in RUNTIME_KNOBS}


@router.route("GET", "/_sandbox/health")
def health(sb: Host, req: Request) -> Any:
    return {"status": "ok", "hub_id": sb.hub_id, "profile": sb.config.profile, "seed": sb.config.seed}


@router.route("GET", "/_sandbox/stats")
def stats(sb: Host, req: Request) -> Any:
    return sb.stats.snapshot()


@router.route("POST", "/_sandbox/reset-stats")
def reset_stats(sb: Host, req: Request) -> Any:
    sb.stats.reset()
    return {"status": "ok"}


@router.route("GET", "/_sandbox/config")
def get_config(sb: Host, req: Request) -> Any:
    return knobs(sb)


@router.route("POST", "/_sandbox/config")
def set_config(sb: Host, req: Request) -> Any:
    changes = req.json()
    if not isinstance(changes, dict) or not changes:
        raise ApiError(
            400,
            'Send a JSON object of settings to change, e.g. {"latency_ms": 50}. '
            f"Valid settings: {', '.join(RUNTIME_KNOBS)}.",
        )
    # Validate on a copy first, so a bad value in the middle leaves the running sandbox untouched.
    try:
        copy.copy(sb.config).update(changes)
    except ValueError as exc:
        raise ApiError(
            400,
            f"{exc}. Valid settings: {', '.join(RUNTIME_KNOBS)}; fault kinds: {', '.join(FAULT_KINDS)}.",
            context={"validSettings": list(RUNTIME_KNOBS)},
        ) from None
    applied = sb.config.update(changes)
    return {"applied": applied, "config": knobs(sb)}


@router.route("POST", "/_sandbox/expire-tokens")
def expire_tokens(sb: Host, req: Request) -> Any:
    return {"expired": sb.auth.expire_all()}
