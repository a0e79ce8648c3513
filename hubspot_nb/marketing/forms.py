"""Forms and form submissions as typed DataFrames (``hub.forms()``, ``hub.form_submissions()``).

"Every form" means every type and, for submissions, archived forms too. HubSpot's form listing
narrows both by default: without ``formTypes`` it lists only ``hubspot`` forms (no pop-ups =
``flow``, no ``captured`` non-HubSpot forms, no ``blog_comment`` forms), and without
``archived=true`` no archived forms. So the listing here always asks ``formTypes=all``, and a second
pass asks for the archived ones where they belong ("all submissions" always; ``forms(archived=True)``).

Archived forms take no new submissions; whether HubSpot still serves their old ones is unconfirmed.
A 404 or an empty answer for an archived form is not an error: the frame's
``attrs["archived_forms_without_submissions"]`` lists those forms' ids and a warning says how many.

Submissions get a ``contact_id`` looked up by the submitted e-mail (``contact_ids_by_email``). Needs
the ``forms`` scope; without ``crm.objects.contacts.read`` the ``contact_id`` column stays empty,
with a warning that says why.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..context import Context
from ..errors import MissingScopes, NotFound
from ..frames.convert import BOOL, CAT, DATE, FLOAT, INT, OBJ, STR, UTC, typed_column, typed_frame
from ..http.client import batch_results
from . import _rows as mf

FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment")  # what formTypes=all lists
FORMS_PAGE = 100  # HubSpot documents no maximum for the forms list; released extractors send 100
SUBMISSIONS_PAGE = 50  # the documented maximum of the v1 submissions endpoint
NO_SUBMISSIONS_ATTR = "archived_forms_without_submissions"


def _form_records(ctx: Context, archived: bool) -> list[dict[str, Any]]:
    """Every form of every type (``formTypes=all``), unarchived ones first; ``archived``: then the
    archived ones too (a separate pass: HubSpot lists them only when asked). A form seen in both
    passes (archived meanwhile) is kept once, as archived."""
    found: dict[str, dict[str, Any]] = {}
    for archived_pass in (False, True) if archived else (False,):
        params = {"limit": FORMS_PAGE, "formTypes": "all", "archived": str(archived_pass).lower()}
        for page in ctx.client.pages(ctx.client.path("marketing.forms"), params):
            for record in page.get("results") or []:
                form = dict(record)
                form["archived"] = bool(form.get("archived")) or archived_pass
                found[str(form.get("id"))] = form
    return list(found.values())


def _form_fields(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for group in form.get("fieldGroups") or [] for f in group.get("fields") or []]


def forms(ctx: Context, archived: bool = False) -> pd.DataFrame:
    """One row per form of every type (``formType``: hubspot, captured, flow = pop-up, blog_comment),
    index ``id``: ``name, formType, createdAt, updatedAt, archived, fields`` (the field names, a
    list) and ``field_count``. ``archived=True`` adds the archived forms (``archived`` tells them
    apart); by default they are left out, as HubSpot leaves them out."""
    rows = []
    for form in _form_records(ctx, archived=archived):
        names = [f.get("name") for f in _form_fields(form)]
        rows.append(
            {
                "id": form.get("id"),
                "name": form.get("name"),
                "formType": form.get("formType"),
                "createdAt": form.get("createdAt"),
                "updatedAt": form.get("updatedAt"),
                "archived": bool(form.get("archived")),
                "fields": names,
                "field_count": len(names),
            }
        )
    kinds = {
        "name": STR,
        "formType": CAT,
        "createdAt": UTC,
        "updatedAt": UTC,
        "archived": BOOL,
        "fields": OBJ,
        "field_count": INT,
    }
    return typed_frame(rows, kinds, columns=["id", *kinds])


# HubSpot form field types → column kinds for the submitted values (the rest stay text)
FIELD_KINDS = {"number": FLOAT, "single_checkbox": BOOL, "booleancheckbox": BOOL, "datepicker": DATE}
SUBMISSION_COLUMNS = ("id", "form_id", "form_name", "submittedAt", "pageUrl", "contact_id", "form_archived")


def _submissions(
    ctx: Context, form: dict[str, Any], since: pd.Timestamp | None
) -> tuple[list[dict[str, Any]], bool]:
    """All submissions of one form (newest first), stopping at the first one older than ``since``,
    and whether HubSpot served any at all (an archived form's 404 counts as none, not an error)."""
    rows: list[dict[str, Any]] = []
    archived = bool(form.get("archived"))
    path = ctx.client.path("marketing.form_submissions", form_id=form["id"])
    served = False
    try:
        for page in ctx.client.pages(path, {"limit": SUBMISSIONS_PAGE}):
            for sub in page.get("results") or []:
                served = True
                # Parse the time only when there is a cutoff: a pandas Series per row costs ~8 ms.
                if since is not None:
                    submitted = typed_column([sub.get("submittedAt")], UTC)[0]
                    if pd.notna(submitted) and submitted < since:
                        return rows, served  # HubSpot lists newest first: the rest is older
                rows.append(_submission_row(form, archived, sub))
    except NotFound:
        if not archived:
            raise
    return rows, served


def _submission_row(form: dict[str, Any], archived: bool, sub: dict[str, Any]) -> dict[str, Any]:
    row = {
        "id": sub.get("conversionId"),
        "form_id": form["id"],
        "form_name": form.get("name"),
        "submittedAt": sub.get("submittedAt"),
        "pageUrl": sub.get("pageUrl"),
        "form_archived": archived,
    }
    for value in sub.get("values") or []:
        name = str(value.get("name"))
        column = f"value_{name}" if name in SUBMISSION_COLUMNS else name
        # A multi-value field arrives as several entries with the same name: keep them all.
        row[column] = value.get("value") if column not in row else f"{row[column]};{value.get('value')}"
    return row


def contact_ids_by_email(ctx: Context, emails: Iterable[str]) -> dict[str, str]:
    """Contact id per e-mail address (lower-cased), via batch read with ``idProperty=email``,
    100 addresses per call, calls made concurrently. Unknown addresses are simply absent."""
    unique = sorted({e.strip().lower() for e in emails if isinstance(e, str) and "@" in e})
    chunks = [unique[i : i + 100] for i in range(0, len(unique), 100)]

    def read(chunk: list[str]) -> list[dict[str, Any]]:
        body = {"idProperty": "email", "properties": ["email"], "inputs": [{"id": e} for e in chunk]}
        # Unknown addresses: a 207 (legacy, 2026-03) or a 200 with errors (2026-09); batch_results reads both.
        return batch_results(
            ctx.client.post(ctx.client.path("crm.objects.batch_read", object_type="contacts"), body)
        )

    found: dict[str, str] = {}
    for results in ctx.client.pool.map(read, chunks):
        for record in results:
            email = ((record.get("properties") or {}).get("email") or "").strip().lower()
            if email:
                found[email] = str(record.get("id"))
    return found


def form_submissions(ctx: Context, form_id: str | None = None, since: Any = None) -> pd.DataFrame:
    """One row per form submission, index ``id`` (HubSpot's ``conversionId``), newest first.

    Columns: ``form_id, form_name, submittedAt`` (UTC), ``pageUrl, contact_id`` (the contact whose
    e-mail matches the submitted ``email``, else missing), ``form_archived`` (the form is archived),
    then one column per submitted field (typed from the form definition: numbers, checkboxes as
    booleans, dates; the rest text). ``form_id=None``: every form of every type, archived forms
    included. ``since``: only submissions made since then.

    Archived forms whose submissions HubSpot no longer serves (404 or nothing) are listed by id in
    ``frame.attrs["archived_forms_without_submissions"]``, with a warning.
    """
    all_forms = _form_records(ctx, archived=True)
    chosen = [f for f in all_forms if form_id is None or str(f.get("id")) == str(form_id)]
    if form_id is not None and not chosen:
        chosen = [{"id": str(form_id), "name": None}]  # not listed: HubSpot decides (404 → NotFound)
    cutoff = mf.to_utc(since, "since") if since is not None else None
    parts = list(ctx.client.pool.map(lambda f: _submissions(ctx, f, cutoff), chosen))
    rows = [row for part, _ in parts for row in part]
    unserved = [f for f, (_, served) in zip(chosen, parts, strict=True) if f.get("archived") and not served]
    kinds: dict[str, str] = {
        "form_id": STR,
        "form_name": STR,
        "submittedAt": UTC,
        "pageUrl": STR,
        "form_archived": BOOL,
    }
    for form in chosen:
        for field in _form_fields(form):
            kind = FIELD_KINDS.get(str(field.get("fieldType")))
            if kind and field.get("name") not in kinds:
                kinds[str(field.get("name"))] = kind
    emails = [row.get("email") for row in rows]
    if any(emails):
        try:
            ids = contact_ids_by_email(ctx, [e for e in emails if e])
        except MissingScopes as exc:
            warnings.warn(f"contact_id left empty: {exc}", stacklevel=3)
            ids = {}
        for row in rows:
            email = row.get("email")
            row["contact_id"] = ids.get(email.strip().lower()) if isinstance(email, str) else None
    frame = typed_frame(rows, kinds, columns=SUBMISSION_COLUMNS)
    frame = frame.sort_values("submittedAt", ascending=False, kind="stable")
    frame.attrs[NO_SUBMISSIONS_ATTR] = [str(f["id"]) for f in unserved]
    if unserved:
        names = ", ".join(repr(f.get("name") or f["id"]) for f in unserved[:5])
        more = f" and {len(unserved) - 5} more" if len(unserved) > 5 else ""
        warnings.warn(
            f"HubSpot served no submissions for {len(unserved)} archived form(s): {names}{more}. "
            "HubSpot may no longer keep submissions of archived forms, so this frame can lack them; "
            f'their ids are in frame.attrs["{NO_SUBMISSIONS_ATTR}"].',
            stacklevel=3,
        )
    return frame
