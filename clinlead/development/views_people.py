"""Frameworks, learning records and the organisation's gaps, career conversations, and the
leadership pathway."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinlead.accounts import permissions
from clinlead.accounts.access import organisation_for, page_of, require
from clinlead.development import frameworks as framework_files
from clinlead.development import selectors_reports, services_people
from clinlead.development.forms import FrameworkUploadForm, LearningRecordForm, PlanForm
from clinlead.development.frameworks import current_frameworks
from clinlead.development.models import Framework
from clinlead.development.views import home_crumbs, person_crumbs
from clinlead.org.models import Person
from clinlead.service_errors import show_on_form


@login_required
def frameworks(request, slug):
    org = organisation_for(request, slug, permissions.can_view_frameworks)
    every_version = Framework.objects.filter(Q(organisation=None) | Q(organisation=org)).order_by(
        "name", "-loaded_at")
    return render(request, "development/frameworks.html", {
        "org": org, "current": current_frameworks(organisation=org), "versions": every_version,
        "can_load": permissions.can_load_framework(request.user, org), "breadcrumbs": home_crumbs()})


MAX_FRAMEWORK_BYTES = 1024 * 1024


@login_required
def framework_upload(request, slug):
    """Load the organisation's own framework, or a new version of it, from a file (the loader
    `clinlead load-framework` uses; a version already loaded is refused, older ones stay)."""
    org = organisation_for(request, slug, permissions.can_load_framework)
    form = FrameworkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_FRAMEWORK_BYTES:
                raise ValidationError("The file is larger than 1 MB")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text") from None
            loaded = framework_files.load_framework(actor=request.user, text=text, organisation_slug=org.slug,
                                                    source=upload.name)
        except ValidationError as exc:
            show_on_form(form, exc, "file")
        else:
            messages.success(request, f"{loaded.name} version {loaded.version} is loaded.")
            return redirect(loaded)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Load a framework", "caption": org.name, "submit": "Load the framework",
        "multipart": True,
        "intro": "Each upload is a new version: assessments, learning records and plans keep the version they "
                 "used. A file with any problem is refused whole, with the reason.",
        "breadcrumbs": home_crumbs()})


@login_required
def framework_download(request, pk):
    """One version as a framework file, to edit and load as the next version."""
    framework = get_object_or_404(Framework.objects.select_related("organisation"), pk=pk)
    require(permissions.can_view_framework(request.user, framework))
    document = {
        "format": framework_files.FORMAT, "code": framework.code, "name": framework.name,
        "version": framework.version, "publisher": framework.publisher,
        **({"organisation": framework.organisation.slug} if framework.organisation_id else {}),
        "levels": [level.name for level in framework.levels.all()],
        "dimensions": [{"code": d.code, "name": d.name, **({"behaviours": d.behaviours} if d.behaviours else {})}
                       for d in framework.dimensions.all()],
    }
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{framework.code}-{framework.version}.json"'
    return response


@login_required
def framework(request, pk):
    framework = get_object_or_404(Framework.objects.select_related("organisation"), pk=pk)
    require(permissions.can_view_framework(request.user, framework))
    return render(request, "development/framework.html", {
        "framework": framework, "dimensions": framework.dimensions.all(), "scale": framework.scale(),
        "has_levels": framework.levels.exists(), "breadcrumbs": home_crumbs()})


def _person(request, pk, rule):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(rule(request.user, person))
    return person


@login_required
def learning_create(request, pk):
    person = _person(request, pk, permissions.can_record_for)
    form = LearningRecordForm(request.POST or None, request.FILES or None, organisation=person.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services_people.add_learning_record(
                actor=request.user, person=person, title=data["title"], kind=data["kind"],
                provider=data["provider"], started_on=data["started_on"], completed_on=data["completed_on"],
                dimensions=data["dimensions"], upload=data["file"])
        except ValidationError as exc:
            show_on_form(form, exc, "file" if any("file" in m.lower() for m in exc.messages) else None)
        else:
            messages.success(request, f"{record.title} added to the learning record.")
            return redirect("development:person", pk=person.pk)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Add learning", "caption": person.full_name, "submit": "Add it", "multipart": True,
        "intro": "A course, leadership programme, fellowship, degree or credential, with the framework "
                 "dimensions it develops and, if you have it, evidence.", "breadcrumbs": person_crumbs(person)})


@login_required
def learning_overview(request, slug):
    org = organisation_for(request, slug, permissions.can_see_development_aggregates)
    frameworks = current_frameworks(organisation=org)
    chosen = request.GET.get("framework", "")
    framework = next((f for f in frameworks if str(f.pk) == chosen), None)
    overview = selectors_reports.learning_overview(organisation=org, framework=framework)
    return render(request, "development/learning_overview.html", {
        "org": org, **overview, "breadcrumbs": home_crumbs()})


@login_required
def plan_create(request, pk):
    person = _person(request, pk, permissions.can_record_career_conversation)
    form = PlanForm(request.POST or None, organisation=person.organisation, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services_people.record_career_conversation(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Career conversation with {person.full_name} recorded.")
            now = plan.readiness_now
            if plan.readiness_record.older_than_current:
                messages.warning(request, (
                    f"A newer readiness for {plan.position.title} is already recorded ({now.get_level_display()}, "
                    f"{now.get_source_display().lower()}, {now.assessed_on.day} {now.assessed_on:%b %Y}), so it stays current; "
                    "this conversation's is kept in the history."))
            return redirect("development:person", pk=person.pk)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Record a career conversation", "caption": person.full_name, "submit": "Record it", "breadcrumbs": person_crumbs(person)})


@login_required
def pathway(request, slug):
    org = organisation_for(request, slug, permissions.can_see_development_aggregates)
    data = selectors_reports.pathway(organisation=org, day=date.today())
    return render(request, "development/pathway.html", {
        "org": org, **data, "page": page_of(request, data["standing"]),
        "chart": selectors_reports.funnel_chart(data["funnel"]), "breadcrumbs": home_crumbs()})


@login_required
def pathway_diversity(request, slug):
    org = organisation_for(request, slug, permissions.can_see_pathway_diversity)
    return render(request, "development/pathway_diversity.html", {
        "org": org, "tables": selectors_reports.pathway_diversity(organisation=org, day=date.today()),
        "breadcrumbs": home_crumbs()})
