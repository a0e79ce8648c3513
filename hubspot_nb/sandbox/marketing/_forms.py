"""Form routes: v3 form definitions (also at ``/marketing/forms/2026-09-beta``, identical) and the
legacy v1 form submissions (no dated path).

Choices: ``GET /marketing/v3/forms`` pages with an opaque ``after`` cursor, ``limit`` default 20;
HubSpot documents no maximum and released extractors send 100, so a larger ``limit`` is silently
capped at ``FORMS_PAGE_MAX`` (never refused); ``formTypes`` defaults to ``hubspot`` (``all`` for
every type); ``archived=true`` lists only archived forms. Submissions are newest first, ``limit``
default 20, max 50 (documented), opaque ``after`` cursor; ``paging`` is absent on the last page. An
archived form's submissions: see ``MarketingData.readable_submissions`` (a setting: HubSpot's
behaviour is unconfirmed).
"""

from __future__ import annotations

from ..routing import ApiError, Request, Response, Router
from ._json import form_json, submission_json
from ._params import FORM_SCOPES, SUBMISSION_SCOPES, MarketingHost, cursor_page, decode_cursor

router = Router()

FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment", "all")
FORMS_PAGE_MAX = 100
# Forms have only a beta date version, documented as identical to v3; submissions stay legacy-only.
FORMS_DATED = "/marketing/forms/{version}"
FORMS_VERSIONS = ("2026-09-beta",)


@router.route("GET", "/marketing/v3/forms/", scopes=FORM_SCOPES, limit="burst")  # official SDKs add the slash
@router.route(
    "GET",
    "/marketing/v3/forms",
    dated=FORMS_DATED,
    versions=FORMS_VERSIONS,
    scopes=FORM_SCOPES,
    limit="burst",
)
def list_forms(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    limit = min(req.int_arg("limit", 20), FORMS_PAGE_MAX)
    start = decode_cursor(req, "after") or 0
    types = [t.lower() for t in req.args("formTypes")] or ["hubspot"]
    for t in types:
        if t not in FORM_TYPES:
            raise ApiError(
                400, f"Invalid value for 'formTypes': '{t[:40]}'; valid values: {', '.join(FORM_TYPES)}."
            )
    archived = req.bool_arg("archived")
    found = [f for f in md.forms if f.archived == archived and ("all" in types or f.form_type in types)]
    return cursor_page(req, found, start, limit, form_json)


@router.route(
    "GET",
    "/marketing/v3/forms/{form_id}",
    dated=FORMS_DATED + "/{form_id}",
    versions=FORMS_VERSIONS,
    scopes=FORM_SCOPES,
    limit="burst",
)
def get_form(sb: MarketingHost, req: Request) -> Response:
    form = sb.marketing.form_by_id.get(req.path_params["form_id"])
    if form is None or (form.archived and not req.bool_arg("archived")):
        raise ApiError(404, f"No form with id {req.path_params['form_id'][:40]}.", "OBJECT_NOT_FOUND")
    return Response.json(form_json(form), records=1)


@router.route(
    "GET", "/form-integrations/v1/submissions/forms/{form_guid}", scopes=SUBMISSION_SCOPES, limit="burst"
)
def list_submissions(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    form = md.form_by_id.get(req.path_params["form_guid"])
    if form is None:
        raise ApiError(404, f"No form with id {req.path_params['form_guid'][:40]}.", "OBJECT_NOT_FOUND")
    limit = req.int_arg("limit", 20, maximum=50)
    start = decode_cursor(req, "after") or 0
    subs = md.readable_submissions(form)
    if subs is None:  # archived_form_submissions="gone"
        raise ApiError(404, f"No form with id {form.id}.", "OBJECT_NOT_FOUND")
    return cursor_page(req, subs, start, limit, lambda s: submission_json(md, form, s))
