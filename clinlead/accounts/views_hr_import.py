"""The HR import page: check a file, show every problem or what it would change, then apply;
and reverse an applied import within its time (clinlead.org.hr_reversal)."""

import csv
import io
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for
from clinlead.org import hr_reversal
from clinlead.org.forms import HrUploadForm
from clinlead.org.hr_example import example_rows
from clinlead.org.hr_format import COLUMN_NAMES, HrFileError
from clinlead.org.hr_guard import (
    LeaversNotConfirmed,
    confirmation_phrase,
    leaver_share_percent,
    phrase_matches,
)
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.hr_uploads import store_upload, upload_path
from clinlead.org.models import HrImport

SESSION_KEY = "clinlead_hr_upload"
# Leavers listed on the preview; past this many the page says how many more there are.
LEAVERS_LISTED = 1000


def _page(request, org, *, status=200, **context):
    context.setdefault("form", HrUploadForm())
    context["org"] = org
    now = timezone.now()
    context["recent"] = [
        (i, hr_reversal.reversible_until(i), not hr_reversal.refusal(i, now=now))
        for i in HrImport.objects.filter(organisation=org).select_related("applied_by")[:5]
    ]
    context["reversible_days"] = hr_reversal.reversible_days()
    context["leaver_share"] = leaver_share_percent()
    result = context.get("result")
    if result is not None and result.ok:
        check = result.leaver_check
        context.update(leavers=check.leavers[:LEAVERS_LISTED], leavers_hidden=max(0, len(check.leavers) - LEAVERS_LISTED),
                       phrase=confirmation_phrase(result.deactivated))
    context["breadcrumbs"] = crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()))
    return render(request, "org/import_hr.html", context, status=status)


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


def _pending_import(request, pending, *, dry_run, confirm_leavers=None):
    path = upload_path(pending["token"], pending["suffix"])
    return import_hr_extract(
        actor=request.user, content=path.read_bytes(), filename=pending["name"], dry_run=dry_run,
        allowed_organisations={pending["org"]}, full_extract=pending["full_extract"],
        effective=date.fromisoformat(pending["effective"]), confirm_leavers=confirm_leavers,
    )


@login_required
@require_POST
def apply_hr_import(request, slug):
    org = organisation_for(request, slug, permissions.can_import_hr)
    pending = request.session.get(SESSION_KEY)
    if (not pending or pending["org"] != org.slug or request.POST.get("token") != pending["token"]
            or not upload_path(pending["token"], pending["suffix"]).is_file()):
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, "That upload has expired. Please upload the file again.")
        return redirect("org:import_hr", slug=org.slug)
    # Checked again now: the guard counts the leavers as the database stands at this moment.
    check = _pending_import(request, pending, dry_run=True)
    confirm = None
    if check.ok and check.leaver_check.needs_confirmation:
        typed = request.POST.get("confirm", "")
        if not phrase_matches(typed, check.deactivated):
            error = (f'To apply this import, type "{confirmation_phrase(check.deactivated)}" in the box.'
                     if not typed.strip() else
                     f'You typed "{typed.strip()[:60]}". Type "{confirmation_phrase(check.deactivated)}" '
                     "to apply this import; nothing was written.")
            return _page(request, org, result=check, token=pending["token"], filename=pending["name"],
                         confirm_error=error, status=400)
        confirm = check.deactivated
    try:
        result = _pending_import(request, pending, dry_run=False, confirm_leavers=confirm)
    except LeaversNotConfirmed as exc:  # the staff changed between the check and this moment
        messages.error(request, str(exc))
        return redirect("org:import_hr", slug=org.slug)
    finally:
        upload_path(pending["token"], pending["suffix"]).unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    if not result.ok:
        # The data changed between the check and the apply; nothing was written.
        return _page(request, org, result=result)
    c = result.counts()
    until = timezone.localtime(hr_reversal.reversible_until(result.imports[0])) if result.imports else None
    messages.success(request, f"Import applied: {c['created']} created, {c['updated']} updated, "
                              f"{c['deactivated']} marked as left, {c['unchanged']} unchanged."
                              + (f" It can be reversed until {until:%-d %b %Y}." if until else ""))
    return redirect("org:import_hr", slug=org.slug)


@login_required
def reverse_hr_import(request, slug, pk):
    """What reversing an import would do, and the button that does it (one audited action)."""
    org = organisation_for(request, slug, permissions.can_import_hr)
    hr_import = get_object_or_404(HrImport.objects.select_related("applied_by"), pk=pk, organisation=org)
    try:
        plan = hr_reversal.plan_reversal(hr_import=hr_import)
    except ValidationError as exc:
        plan, refused = None, " ".join(exc.messages)
    else:
        refused = ""
    if request.method == "POST" and plan is not None:
        try:
            done = hr_reversal.reverse_hr_import(actor=request.user, hr_import=hr_import)
        except ValidationError as exc:
            refused = " ".join(exc.messages)
        else:
            c = done.counts()
            messages.success(request, f"Import of {hr_import.filename} reversed: {c['back_in_post']} back in post, "
                                      f"{c['restored']} given their earlier details, {c['removed']} added by it "
                                      f"removed, {c['kept_new']} added by it kept, {c['changed_since']} changed "
                                      "since and left as they are.")
            return redirect("org:import_hr", slug=org.slug)
    return render(request, "org/import_hr_reverse.html", {
        "org": org, "hr_import": hr_import, "plan": plan, "refused": refused,
        "until": hr_reversal.reversible_until(hr_import), "days": hr_reversal.reversible_days(),
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()),
                              ("HR import", reverse("org:import_hr", kwargs={"slug": org.slug}))),
    }, status=400 if refused and request.method == "POST" else 200)


@login_required
def hr_example(request, slug):
    """An example extract for this organisation: its own staff in post (clinlead.org.hr_example)."""
    org = organisation_for(request, slug, permissions.can_import_hr)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(example_rows(org))
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="clinlead-hr-example-{org.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response
