"""The portal's users and teams (``/settings/v3/users``, ``/settings/v3/users/teams``), made from its
owners: every owner is a user, every owner team a team. Unsupported by HubSpot from September 2027
(v1–v3 cut-off)."""

from __future__ import annotations

from typing import Any

from ..routing import Request, Response, Router
from ._records import CrmHost, offset_page

router = Router()


def users(sb: CrmHost) -> list[dict[str, Any]]:
    out = []
    for owner in sb.portal.owners:
        if owner["archived"]:
            continue
        primary = [t["id"] for t in owner["teams"] if t["primary"]]
        out.append({
            "id": str(owner["userId"]), "email": owner["email"], "firstName": owner["firstName"],
            "lastName": owner["lastName"], "roleIds": [], "primaryTeamId": primary[0] if primary else None,
            "secondaryTeamIds": [t["id"] for t in owner["teams"] if not t["primary"]], "superAdmin": False,
        })  # fmt: skip
    return out


@router.route("GET", "/settings/v3/users", scopes=("settings.users.read",), limit="burst")
@router.route("GET", "/settings/v3/users/", scopes=("settings.users.read",), limit="burst")
def list_users(sb: CrmHost, req: Request) -> Response:
    body = offset_page(
        req, users(sb), req.int_arg("limit", 100, maximum=100), f"{sb.base_url}/settings/v3/users"
    )
    return Response.json(body, records=len(body["results"]))


@router.route("GET", "/settings/v3/users/teams", scopes=("settings.users.teams.read",), limit="burst")
def list_teams(sb: CrmHost, req: Request) -> dict[str, Any]:
    teams: dict[str, dict[str, Any]] = {}
    for user in users(sb):
        for team_id in [user["primaryTeamId"], *user["secondaryTeamIds"]]:
            if team_id is None:
                continue
            name = next(t["name"] for o in sb.portal.owners for t in o["teams"] if t["id"] == team_id)
            team = teams.setdefault(
                team_id, {"id": team_id, "name": name, "userIds": [], "secondaryUserIds": []}
            )
            (team["userIds"] if team_id == user["primaryTeamId"] else team["secondaryUserIds"]).append(
                user["id"]
            )
    return {"results": list(teams.values())}
