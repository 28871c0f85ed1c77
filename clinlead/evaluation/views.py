"""Evaluation pages: the list, set-up, figures import, the report (page, PDF, Excel), the metric
catalogue and the planning calculator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, require
from clinlead.analytics.did_power import comparators_needed, minimum_detectable_effect
from clinlead.evaluation import charts, planning, preregistration, robustness, selectors, services
from clinlead.evaluation.forms import (
    EvaluationForm,
    MetricForm,
    PlanForm,
    PrimaryOutcomeForm,
    UploadForm,
)
from clinlead.evaluation.models import Evaluation
from clinlead.exports import xlsx_response
from clinlead.pdf import pdf_response
from clinlead.service_errors import show_on_form


def _list_crumbs(org):
    return crumbs(("Home", reverse("home")), ("Evaluations", reverse("evaluation:list", kwargs={"slug": org.slug})))


def _evaluation(request, pk, rule):
    evaluation = get_object_or_404(Evaluation.objects.select_related("organisation"), pk=pk)
    require(rule(request.user, evaluation))
    return evaluation


@login_required
def evaluation_list(request, slug):
    org = organisation_for(request, slug, permissions.can_list_evaluations)
    return render(request, "evaluation/list.html", {
        "org": org, "evaluations": selectors.evaluations_for(organisation=org),
        "can_create": permissions.can_create_evaluation(request.user, org),
        "breadcrumbs": crumbs(("Home", reverse("home"))),
    })


@login_required
def evaluation_create(request, slug):
    org = organisation_for(request, slug, permissions.can_create_evaluation)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.create_evaluation(
                actor=request.user, organisation=org, name=data["name"], question=data["question"],
                metrics=list(data["metrics"]), participants=data["pilots"] + data["comparators"],
                leads=data["leads"], lags=data["lags"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{evaluation.name} is set up. Import its figures next.")
            return redirect(evaluation)
    return render(request, "evaluation/form.html", {
        "form": form, "org": org, "title": "Set up an evaluation", "submit": "Set up the evaluation",
        "breadcrumbs": _list_crumbs(org)})


@login_required
def evaluation_edit(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_manage_evaluation)
    form = EvaluationForm(request.POST or None, initial=EvaluationForm.initial_for(evaluation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_evaluation(
                actor=request.user, evaluation=evaluation, name=data["name"], question=data["question"],
                metrics=list(data["metrics"]), participants=data["pilots"] + data["comparators"],
                leads=data["leads"], lags=data["lags"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The set-up is saved and the results are up to date.")
            return redirect(evaluation)
    return render(request, "evaluation/form.html", {
        "form": form, "org": evaluation.organisation, "evaluation": evaluation,
        "title": f"Change the set-up of {evaluation.name}", "submit": "Save the set-up",
        "breadcrumbs": _list_crumbs(evaluation.organisation) + crumbs((evaluation.name, evaluation.get_absolute_url()))})


def _report_context(request, evaluation, *, pdf=False):
    data = robustness.report_as_shown(evaluation=evaluation)
    starts = [p.start for p in data["pilots"]]
    for m in data["metrics"]:
        record = m.get("record")
        m["trend_svg"], m["event_svg"] = charts.stored_or_drawn(record, starts=starts) if record else (None, None)
        if pdf:  # as PNG images: WeasyPrint lays out inline SVG ten times slower
            m["trend_svg"], m["event_svg"] = charts.pdf_image(m["trend_svg"]), charts.pdf_image(m["event_svg"])
    return data | {"can_manage": permissions.can_manage_evaluation(request.user, evaluation),
                   "breadcrumbs": _list_crumbs(evaluation.organisation)}


@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_view_evaluation)
    return render(request, "evaluation/detail.html", _report_context(request, evaluation))


@login_required
def evaluation_pdf(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_view_evaluation)
    return pdf_response(template="evaluation/report_pdf.html", context=_report_context(request, evaluation, pdf=True),
                        filename=f"evaluation-{evaluation.pk}.pdf", request=request)


@login_required
def evaluation_xlsx(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_view_evaluation)
    data = robustness.report_as_shown(evaluation=evaluation)
    sheets = selectors.export_sheets(evaluation=evaluation, data=data) | robustness.export_sheets(data=data)
    return xlsx_response(sheets=sheets, filename=f"evaluation-{evaluation.pk}.xlsx")


@login_required
def evaluation_import(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_manage_evaluation)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.import_observations(actor=request.user, evaluation=evaluation,
                                                   content=upload.read(), filename=upload.name)
        except services.ObservationFileError as exc:
            problems = exc
        else:
            messages.success(request, f"{upload.name}: {summary.rows} figures checked; {summary.created} added, "
                                      f"{summary.updated} changed, {summary.unchanged} unchanged. Results recomputed.")
            return redirect(evaluation)
    return render(request, "evaluation/import.html", {
        "form": form, "evaluation": evaluation, "problems": problems,
        "participants": evaluation.organisations.all(),
        "metrics": evaluation.metrics.exclude(name="leader_index").order_by("label"),
        "breadcrumbs": _list_crumbs(evaluation.organisation) + crumbs((evaluation.name, evaluation.get_absolute_url()))})


@login_required
def evaluation_import_template(request, pk):
    evaluation = _evaluation(request, pk, permissions.can_manage_evaluation)
    return xlsx_response(sheets=selectors.import_template(evaluation=evaluation),
                         filename=f"evaluation-{evaluation.pk}-figures-template.xlsx")


@login_required
@require_POST
def evaluation_refresh(request, pk):
    """Take the leader index from newly published cycles and recompute anything out of date."""
    evaluation = _evaluation(request, pk, permissions.can_manage_evaluation)
    count = services.sync_leader_index(actor=request.user, evaluation=evaluation)
    messages.success(request, f"Leader index taken from {count} published cycle{'s' if count != 1 else ''}; "
                              "results are up to date.")
    return redirect(evaluation)


@login_required
def metric_catalogue(request, slug):
    org = organisation_for(request, slug, permissions.can_list_evaluations)
    can_add = permissions.can_add_evaluation_metric(request.user, org)
    form = MetricForm(request.POST or None) if can_add else None
    if request.method == "POST":
        require(can_add)
        if form.is_valid():
            try:
                metric = services.add_metric(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                show_on_form(form, exc)
            else:
                messages.success(request, f"{metric.label} is in the catalogue.")
                return redirect("evaluation:metrics", slug=org.slug)
    return render(request, "evaluation/metrics.html", {
        "org": org, "metrics": selectors.catalogue(), "form": form, "breadcrumbs": _list_crumbs(org)})


@login_required
def plan(request, slug):
    """How small an effect a pilot of this shape could detect; how many comparators it needs;
    and the verdict's own power by simulation (planning.py), from the organisation's history."""
    org = organisation_for(request, slug, permissions.can_plan_evaluation)
    form = PlanForm(request.GET if "n_pilots" in request.GET else None,
                    metrics=planning.history_metrics(organisation=org))
    design = needed = simulation = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        target, metric = data.pop("target_effect"), data.pop("metric")
        try:
            design = minimum_detectable_effect(**data)
            if target is not None:
                data.pop("n_comparators")
                needed = comparators_needed(target_effect=target, **data)
        except ValueError as exc:
            form.add_error(None, str(exc).capitalize())
        if design is not None:
            inputs = planning.plan_power_inputs(design=design, target_effect=target, organisation=org,
                                                metric=metric)
            simulation = {"inputs": inputs, "result": planning.power_for_page(inputs=inputs)}
    return render(request, "evaluation/plan.html", {
        "org": org, "form": form, "design": design, "needed": needed, "simulation": simulation,
        "breadcrumbs": _list_crumbs(org)})


@login_required
def primary_outcome(request, pk):
    """Name the primary outcome before results exist, then lock it (pre-registration)."""
    evaluation = _evaluation(request, pk, permissions.can_manage_evaluation)
    registration = preregistration.primary_outcome_of(evaluation=evaluation)
    fixed = preregistration.why_fixed(evaluation=evaluation)
    form = None if fixed else PrimaryOutcomeForm(request.POST or None, evaluation=evaluation, registration=registration)
    if request.method == "POST":
        require(form is not None)
        try:
            if "lock" in request.POST:
                preregistration.lock_primary_outcome(actor=request.user, evaluation=evaluation)
                messages.success(request, "The primary outcome is locked.")
                return redirect(evaluation)
            if form.is_valid():
                preregistration.register_primary_outcome(actor=request.user, evaluation=evaluation,
                                                         **form.cleaned_data)
                messages.success(request, "The primary outcome is recorded. Lock it once you are sure.")
                return redirect("evaluation:primary", pk=evaluation.pk)
        except ValidationError as exc:
            show_on_form(form, exc)
    return render(request, "evaluation/primary.html", {
        "evaluation": evaluation, "registration": registration, "fixed": fixed, "form": form,
        "breadcrumbs": _list_crumbs(evaluation.organisation) + crumbs((evaluation.name, evaluation.get_absolute_url()))})
