"""Leader-index results: a leader's report (page and PDF), the organisation's dashboard, the
Excel export, and loading past cycles. Every figure comes from published rows only."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, require
from clinlead.exports import xlsx_response
from clinlead.leaderindex import charts, report_page, selectors_dashboard, selectors_report
from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.services import import_past_cycle, publish_cycle
from clinlead.org.models import Person
from clinlead.pdf import pdf_response
from clinlead.service_errors import show_as_messages
from clinlead.surveys.forms import PastCyclesForm
from clinlead.surveys.models import SurveyCycle


def _published_cycle(pk):
    return get_object_or_404(SurveyCycle.objects.select_related("organisation", "instrument"),
                             pk=pk, status=SurveyCycle.Status.PUBLISHED)


@login_required
def my_report(request):
    """The latest published report of the logged-in leader."""
    latest = LeaderResult.objects.filter(leader_id=request.user.person_id).order_by("-cycle__opens_on").first()
    if latest is None:
        return render(request, "leaderindex/no_report.html", {"breadcrumbs": crumbs(("Home", reverse("home")))})
    return redirect("leaderindex:report", cycle=latest.cycle_id, leader=latest.leader_id)


def _report_context(request, cycle, leader, *, phone=True):
    context = report_page.report_context(user=request.user, cycle=cycle, leader=leader, phone=phone)
    context["breadcrumbs"] = crumbs(("Home", reverse("home")))
    context["pdf"] = not phone  # on paper, the app's links lead nowhere: named, not linked
    return context


@login_required
def report(request, cycle, leader):
    cycle = _published_cycle(cycle)
    leader = get_object_or_404(Person, pk=leader, organisation=cycle.organisation)
    require(permissions.can_see_leader_report(request.user, leader))
    return render(request, "leaderindex/report.html", _report_context(request, cycle, leader))


@login_required
def report_pdf(request, cycle, leader):
    cycle = _published_cycle(cycle)
    leader = get_object_or_404(Person, pk=leader, organisation=cycle.organisation)
    require(permissions.can_see_leader_report(request.user, leader))
    return pdf_response(template="leaderindex/report_pdf.html", context=_report_context(request, cycle, leader, phone=False),
                        filename=f"leader-index-{cycle.name}-{leader.staff_number}.pdf", request=request,
                        tagged=True)


@login_required
def dashboard(request, pk):
    cycle = _published_cycle(pk)
    require(permissions.can_see_cycle_results(request.user, cycle))
    divisions = selectors_dashboard.divisions(cycle=cycle)
    chosen = request.GET.get("division") or ""
    division = next((d for d in divisions if str(d.pk) == chosen), None)
    if chosen and division is None:
        raise Http404("No such division")
    data = selectors_dashboard.dashboard(cycle=cycle, division=division)
    result = data["result"]
    indices = (result.leader_indices or []) if result and division is None else []
    return render(request, "leaderindex/dashboard.html", {
        **data, "cycle": cycle, "divisions": divisions,
        "distribution_svg": charts.distribution_chart(indices) if indices else None,
        "distribution_bins": [b for b in charts.bins(indices) if b[2]] if indices else [],
        "heatmap_svg": charts.heatmap_chart(data["heat"], centre=data["organisation_behaviours"]) if data["heat"] else None,
        "heat_rows": _heat_rows(data["units"]),
        "behaviour_names": [b.capitalize() for b in selectors_dashboard.BEHAVIOURS],
        "association": [(name, result.association.get(name)) for name in ("burnout", "satisfaction")] if result else [],
        "correlation": (result.association.get("unit_correlation") or {}) if result else {},
        "breadcrumbs": crumbs(("Home", reverse("home")),
                              ("Leader survey", reverse("surveys:cycles", kwargs={"slug": cycle.organisation.slug}))),
    })


def _heat_rows(rows):
    """The heatmap's data table: (unit path, [score or None per behaviour]) per unit."""
    return [(row["unit"].path, [row["result"].behaviours.get(b) if row["result"] else None
                                for b in selectors_dashboard.BEHAVIOURS]) for row in rows]


@login_required
def export(request, pk):
    cycle = _published_cycle(pk)
    require(permissions.can_see_cycle_results(request.user, cycle))
    return xlsx_response(sheets=selectors_report.export_sheets(cycle=cycle),
                         filename=f"leader-index-{cycle.organisation.slug}-{cycle.name}.xlsx")


@login_required
def import_cycles(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_talent)
    form = PastCyclesForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "responses.csv"
            with path.open("wb") as out:
                for chunk in form.cleaned_data["file"].chunks():
                    out.write(chunk)
            try:
                cycles = import_past_cycle(actor=request.user, organisation=org, path=path)
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, "Loaded and published: " + ", ".join(c.name for c in cycles))
                return redirect("surveys:cycles", slug=org.slug)
    return render(request, "leaderindex/import.html", {
        "org": org, "form": form, "problems": problems,
        "breadcrumbs": crumbs(("Home", reverse("home")), ("Leader survey", reverse("surveys:cycles", kwargs={"slug": org.slug}))),
    })


@login_required
@require_POST
def publish(request, pk):
    """A closed survey's "Publish the results" button (on the survey's page, which sends it here:
    the leader index publishes its own figures; surveys sits below it and does not import it)."""
    cycle = get_object_or_404(SurveyCycle.objects.select_related("organisation", "instrument"), pk=pk)
    require(permissions.can_manage_talent(request.user, cycle.organisation))
    try:
        publish_cycle(actor=request.user, cycle=cycle)
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, "Results are published.")
    return redirect(cycle)
