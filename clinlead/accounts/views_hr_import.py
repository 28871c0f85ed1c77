"""The HR import page: check a file, show every problem or what it would change, then apply."""

import csv
import io
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for
from clinlead.audit.models import AuditEvent
from clinlead.org.forms import HrUploadForm
from clinlead.org.hr_format import COLUMN_NAMES, HrFileError
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.hr_uploads import store_upload, upload_path

SESSION_KEY = "clinlead_hr_upload"


def _page(request, org, **context):
    context.setdefault("form", HrUploadForm())
    context["org"] = org
    context["recent"] = AuditEvent.objects.filter(organisation=org, action="hr.extract_imported")[:5]
    context["breadcrumbs"] = crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()))
    return render(request, "org/import_hr.html", context)


@login_required
def import_hr(request, slug):
    org = organisation_for(request, slug, permissions.can_import_hr)
    if request.method != "POST":
        return _page(request, org)
    form = HrUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, org, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    options = {"full_extract": form.cleaned_data["full_extract"], "effective": form.cleaned_data["effective"]}
    try:
        result = import_hr_extract(actor=request.user, content=content, filename=upload.name, dry_run=True,
                                   allowed_organisations={org.slug}, **options)
    except HrFileError as exc:
        form.add_error("file", str(exc))
        return _page(request, org, form=form)
    if not result.ok:
        return _page(request, org, form=form, result=result)
    suffix = Path(upload.name).suffix.lower()
    token = store_upload(content, suffix)
    request.session[SESSION_KEY] = {
        "token": token, "suffix": suffix, "name": upload.name[:200], "org": org.slug,
        "full_extract": options["full_extract"], "effective": options["effective"].isoformat(),
    }
    return _page(request, org, form=form, result=result, token=token, filename=upload.name)


@login_required
@require_POST
def apply_hr_import(request, slug):
    org = organisation_for(request, slug, permissions.can_import_hr)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["org"] != org.slug or request.POST.get("token") != pending["token"]:
        messages.warning(request, "That upload has expired. Please upload the file again.")
        return redirect("org:import_hr", slug=org.slug)
    path = upload_path(pending["token"], pending["suffix"])
    if not path.is_file():
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, "That upload has expired. Please upload the file again.")
        return redirect("org:import_hr", slug=org.slug)
    try:
        result = import_hr_extract(
            actor=request.user, content=path.read_bytes(), filename=pending["name"], dry_run=False,
            allowed_organisations={org.slug}, full_extract=pending["full_extract"],
            effective=date.fromisoformat(pending["effective"]),
        )
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    if not result.ok:
        # The data changed between the check and the apply; nothing was written.
        return _page(request, org, result=result)
    c = result.counts()
    messages.success(request, f"Import applied: {c['created']} created, {c['updated']} updated, "
                              f"{c['deactivated']} marked as left, {c['unchanged']} unchanged.")
    return redirect("org:import_hr", slug=org.slug)


@login_required
def hr_example(request, slug):
    """An example extract for this organisation, made by the demo generator (never hand-written)."""
    org = organisation_for(request, slug, permissions.can_import_hr)
    from clinlead.org.demo import DemoGenerator

    # One generated trust, whole, so every leader named in it is in it too.
    generated = DemoGenerator(staff=200, seed=7).build().extract_rows()
    rows = [dict(r, organisation=org.slug) for r in generated if r["organisation"] == "northgate"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="clinlead-hr-example-{org.slug}.csv"'
    return response
