"""Forms and form submissions as typed DataFrames (``hub.forms()``, ``hub.form_submissions()``).

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
from ..errors import MissingScopes
from ..frames.convert import BOOL, CAT, DATE, FLOAT, INT, OBJ, STR, UTC, typed_column, typed_frame
from ..http.urls import path as endpoint
from . import _rows as mf


def _form_records(ctx: Context) -> list[dict[str, Any]]:
    return [
        r
        for page in ctx.client.pages(endpoint("marketing.forms"), {"limit": 50})
        for r in page.get("results") or []
    ]


def _form_fields(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for group in form.get("fieldGroups") or [] for f in group.get("fields") or []]


def forms(ctx: Context) -> pd.DataFrame:
    """One row per form, index ``id``: ``name, formType, createdAt, updatedAt, archived, fields``
    (the field names, a list) and ``field_count``."""
    rows = []
    for form in _form_records(ctx):
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
SUBMISSION_COLUMNS = ("id", "form_id", "form_name", "submittedAt", "pageUrl", "contact_id")


def _submissions(ctx: Context, form: dict[str, Any], since: pd.Timestamp | None) -> list[dict[str, Any]]:
    """All submissions of one form (newest first), stopping at the first one older than ``since``."""
    rows: list[dict[str, Any]] = []
    path = endpoint("marketing.form_submissions", form_id=form["id"])
    for page in ctx.client.pages(path, {"limit": 50}):
        for sub in page.get("results") or []:
            # Parse the time only when there is a cutoff: a pandas Series per row costs ~8 ms.
            if since is not None:
                submitted = typed_column([sub.get("submittedAt")], UTC)[0]
                if pd.notna(submitted) and submitted < since:
                    return rows  # HubSpot lists newest first: everything after this is older
            row = {
                "id": sub.get("conversionId"),
                "form_id": form["id"],
                "form_name": form.get("name"),
                "submittedAt": sub.get("submittedAt"),
                "pageUrl": sub.get("pageUrl"),
            }
            for value in sub.get("values") or []:
                name = str(value.get("name"))
                column = f"value_{name}" if name in SUBMISSION_COLUMNS else name
                # A multi-value field arrives as several entries with the same name: keep them all.
                row[column] = (
                    value.get("value") if column not in row else f"{row[column]};{value.get('value')}"
                )
            rows.append(row)
    return rows


def contact_ids_by_email(ctx: Context, emails: Iterable[str]) -> dict[str, str]:
    """Contact id per e-mail address (lower-cased), via batch read with ``idProperty=email``,
    100 addresses per call, calls made concurrently. Unknown addresses are simply absent."""
    unique = sorted({e.strip().lower() for e in emails if isinstance(e, str) and "@" in e})
    chunks = [unique[i : i + 100] for i in range(0, len(unique), 100)]

    def read(chunk: list[str]) -> list[dict[str, Any]]:
        body = {"idProperty": "email", "properties": ["email"], "inputs": [{"id": e} for e in chunk]}
        return (ctx.client.post(endpoint("crm.objects.batch_read", object_type="contacts"), body) or {}).get(
            "results"
        ) or []

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
    e-mail matches the submitted ``email``, else missing), then one column per submitted field
    (typed from the form definition: numbers, checkboxes as booleans, dates; the rest text).
    ``form_id=None``: every form. ``since``: only submissions made since then.
    """
    all_forms = _form_records(ctx)
    chosen = [f for f in all_forms if form_id is None or str(f.get("id")) == str(form_id)]
    if form_id is not None and not chosen:
        chosen = [{"id": str(form_id), "name": None}]  # not listed (archived?): HubSpot decides
    cutoff = mf.to_utc(since, "since") if since is not None else None
    rows = [
        row for part in ctx.client.pool.map(lambda f: _submissions(ctx, f, cutoff), chosen) for row in part
    ]
    kinds: dict[str, str] = {"form_id": STR, "form_name": STR, "submittedAt": UTC, "pageUrl": STR}
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
    return frame.sort_values("submittedAt", ascending=False, kind="stable")
