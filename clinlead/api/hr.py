"""The HR extract upload (docs/api.md): the HR import page's two steps, for an HR system.

1. `POST /api/hr/extracts/` checks the file and writes nothing: the page's form (type, size,
   empty file, date) and the same service (`import_hr_extract(dry_run=True)`, with its
   hostile-file bounds and every row's problems). A clean file is kept, as the page keeps it,
   and the answer is its preview: counts, leavers, and whether applying needs the leavers'
   count confirmed (clinlead.org.hr_guard).
2. `POST /api/hr/extracts/{preview_id}/apply/` applies it. As on the page, the file is checked
   again first (the guard counts leavers as the database stands now); a guarded extract needs
   `confirm_leavers` equal to that count (the page's "mark N as left"), else 409 and nothing is
   written. Applying is the page's audited action (`hr.extract_imported`), its actor the token.

A preview belongs to the token that uploaded it (as the page's belongs to the session): another
token, of this organisation or another, gets 404. It is used once, and deleted after
CLINLEAD_HR_UPLOAD_KEEP_HOURS if never applied.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from ninja import Body, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from clinlead.api.core import ERRORS, require_scope
from clinlead.org import hr_reversal, hr_uploads
from clinlead.org.forms import HrUploadForm
from clinlead.org.hr_format import HrFileError
from clinlead.org.hr_guard import LeaversNotConfirmed
from clinlead.org.hr_import import import_hr_extract

router = Router()
SCOPE = "hr:write"
# As on the page: past this many the preview says how many more there are.
LEAVERS_LISTED = 1000


class Problem(Schema):
    row: int
    column: str
    value: str
    reason: str


class Refused(Schema):
    """The file or its rows failed the page's checks; nothing was written."""
    detail: str
    problems: list[Problem]
    total_problems: int


class Counts(Schema):
    rows: int
    created: int
    updated: int
    deactivated: int
    unchanged: int
    units_created: int


class Leaver(Schema):
    staff_number: str
    name: str
    key_positions: list[str]


class Preview(Schema):
    preview_id: str
    filename: str
    full_extract: bool
    effective: date
    counts: Counts
    leavers: list[Leaver]
    leavers_not_listed: int
    needs_confirmation: bool
    reasons: list[str]
    confirm_leavers: int | None
    expires_at: datetime


class Confirmation(Schema):
    confirm_leavers: int | None = None


class ConfirmationNeeded(Schema):
    """The count to confirm, and why; null when the staff changed since the check (upload again)."""
    detail: str
    confirm_leavers: int | None
    reasons: list[str]


class AppliedImport(Schema):
    id: int
    organisation: str
    reversible_until: datetime


class Applied(Schema):
    counts: Counts
    imports: list[AppliedImport]


def _label(token) -> str:
    return f"API token {token.name!r} of {token.organisation.slug}"


def _refused(result) -> Status:
    return Status(400, {"detail": f"{result.total_problems} problem(s) found; nothing was written",
                 "problems": [vars(p) for p in result.problems],
                 "total_problems": result.total_problems})


def _file_refused(message: str) -> Status:
    return Status(400, {"detail": message, "problems": [], "total_problems": 0})


def _run(token, pending, *, content, dry_run, confirm_leavers=None):
    return import_hr_extract(
        actor=None, actor_label=_label(token), content=content, filename=pending["name"],
        dry_run=dry_run, allowed_organisations={token.organisation.slug},
        full_extract=pending["full_extract"], effective=date.fromisoformat(pending["effective"]),
        confirm_leavers=confirm_leavers)


@router.post("/extracts/", response={200: Preview, 400: Refused, **ERRORS},
             url_name="hr_extract_upload", operation_id="upload_hr_extract")
def upload(request, file: File[UploadedFile], full_extract: Form[bool] = False,
           effective: Form[date | None] = None):
    """Check an HR extract (.csv or .xlsx, the columns of docs/hr-import.md) for the token's
    organisation and write nothing. Problems: 400 with every row's (row, column, value,
    reason). A clean file: its preview, to apply with `/apply/`. `full_extract` marks people
    missing from it as left; `effective` is the day the changes take effect (default today)."""
    require_scope(request, SCOPE)
    token = request.auth
    effective = effective or timezone.localdate()
    # The page's form, so the same checks (type, size, empty file, date) with the same words.
    data = {"effective": effective.isoformat(), **({"full_extract": "on"} if full_extract else {})}
    form = HrUploadForm(data=data, files={"file": file})
    if not form.is_valid():
        return _file_refused(" ".join(str(m) for errors in form.errors.values() for m in errors))
    upload = form.cleaned_data["file"]
    pending = {"name": upload.name[:200], "full_extract": form.cleaned_data["full_extract"],
               "effective": form.cleaned_data["effective"].isoformat()}
    content = upload.read()
    try:
        result = _run(token, pending, content=content, dry_run=True)
    except HrFileError as exc:
        return _file_refused(str(exc))
    if not result.ok:
        return _refused(result)
    preview_id = hr_uploads.store_pending(content, Path(upload.name).suffix.lower(), {
        **pending, "organisation": token.organisation.slug, "token": token.pk})
    check = result.leaver_check
    keep = timedelta(hours=getattr(settings, "CLINLEAD_HR_UPLOAD_KEEP_HOURS", 24))
    return {
        "preview_id": preview_id, "filename": pending["name"],
        "full_extract": pending["full_extract"],
        "effective": form.cleaned_data["effective"], "counts": result.counts(),
        "leavers": [{"staff_number": lv.staff_number, "name": lv.name,
                     "key_positions": lv.key_positions} for lv in check.leavers[:LEAVERS_LISTED]],
        "leavers_not_listed": max(0, len(check.leavers) - LEAVERS_LISTED),
        "needs_confirmation": check.needs_confirmation, "reasons": check.reasons,
        "confirm_leavers": result.deactivated if check.needs_confirmation else None,
        "expires_at": timezone.now() + keep,
    }


@router.post("/extracts/{preview_id}/apply/",
             response={200: Applied, 400: Refused, 409: ConfirmationNeeded, **ERRORS},
             url_name="hr_extract_apply", operation_id="apply_hr_extract")
def apply(request, preview_id: str, confirmation: Body[Confirmation]):
    """Apply a checked extract (send `{}`, or `{"confirm_leavers": N}` when its preview says
    it needs confirming). It is checked again first; 409 when the count is not confirmed
    (nothing written, the preview kept), 400 when the data changed and rows are now refused."""
    require_scope(request, SCOPE)
    token = request.auth
    pending = hr_uploads.pending(preview_id)
    if (pending is None or pending.get("token") != token.pk
            or pending.get("organisation") != token.organisation.slug):
        raise HttpError(404, "No preview with that id for this token "
                             "(applied, expired, or never made)")
    content = hr_uploads.upload_path(preview_id, pending["suffix"]).read_bytes()
    try:
        check = _run(token, pending, content=content, dry_run=True)
        if check.ok and check.leaver_check.needs_confirmation \
                and confirmation.confirm_leavers != check.deactivated:
            said = ("" if confirmation.confirm_leavers is None
                    else f" (you confirmed {confirmation.confirm_leavers})")
            count = check.deactivated
            return Status(409, {"detail": f"This import would mark {count} as left{said}; send "
                                   f'{{"confirm_leavers": {count}}} to apply it. '
                                   "Nothing was written.",
                                "confirm_leavers": count, "reasons": check.leaver_check.reasons})
    except HrFileError as exc:
        hr_uploads.discard_pending(preview_id, pending["suffix"])
        return _file_refused(str(exc))
    confirm = check.deactivated if check.ok and check.leaver_check.needs_confirmation else None
    try:
        result = _run(token, pending, content=content, dry_run=False, confirm_leavers=confirm)
    except LeaversNotConfirmed as exc:  # the staff changed between the check and this moment
        return Status(409, {"detail": str(exc), "confirm_leavers": None, "reasons": []})
    except HrFileError as exc:
        return _file_refused(str(exc))
    finally:
        hr_uploads.discard_pending(preview_id, pending["suffix"])
    if not result.ok:  # the data changed between the upload and now; nothing was written
        return _refused(result)
    return {"counts": result.counts(),
            "imports": [{"id": i.pk, "organisation": i.organisation.slug,
                         "reversible_until": hr_reversal.reversible_until(i)}
                        for i in result.imports]}
