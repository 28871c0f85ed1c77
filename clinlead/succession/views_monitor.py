"""The central monitor and what hangs off it: the risk list, the list of pools, pipeline
diversity, the monitor's settings, the succession chart (page, PDF), the scorecards export and
the chart of dyads and triads."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, page_of, require
from clinlead.dates import add_months
from clinlead.exports import xlsx_response
from clinlead.org.models import PositionLevel, Unit
from clinlead.pdf import pdf_response
from clinlead.service_errors import show_on_form
from clinlead.succession import selectors, services
from clinlead.succession.forms import SettingsForm
from clinlead.succession.monitor import (
    Scope,
    leaving_within,
    organisation_overview,
    settings_for,
    trend,
    vacant_without_successor,
)
from clinlead.succession.monitor_store import cached_pipeline_diversity, monitor_figures_for_page
from clinlead.succession.selectors_bi import snapshot_diversity
from clinlead.validation import parse_id


def _org_crumbs(org, *more):
    return crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()), *more)


def _monitor_crumbs(org):
    return _org_crumbs(org, ("Succession monitor", reverse("succession:monitor", kwargs={"slug": org.slug})))


def _int(value):
    return parse_id(value)


def scope_from_request(request, org):
    """The drill-down asked for: ?division=<top-level unit>&level=<level>."""
    division_id, level_id = _int(request.GET.get("division")), _int(request.GET.get("level"))
    division = get_object_or_404(Unit, pk=division_id, organisation=org, depth=0) if division_id else None
    level = get_object_or_404(PositionLevel, pk=level_id, organisation=org) if level_id else None
    return Scope(organisation=org, division=division, level=level)


def drill_down_choices(org):
    return {"divisions": Unit.objects.filter(organisation=org, depth=0).order_by("name"),
            "levels": PositionLevel.objects.filter(organisation=org).order_by("-rank")}


@login_required
def monitor_overview(request):
    organisations = [o for o in permissions.visible_organisations(request.user)
                     if permissions.can_view_succession_monitor(request.user, o)]
    require(bool(organisations))
    if len(organisations) == 1:
        return redirect("succession:monitor", slug=organisations[0].slug)
    rows = organisation_overview(organisations=organisations)
    for row in rows:
        n = row["key_positions"]
        row["share_1"] = round(100 * row["ready_now_1"] / n) if n else None
    return render(request, "succession/monitor_overview.html", {
        "rows": rows, "breadcrumbs": crumbs(("Home", reverse("home")))})


@login_required
def monitor(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    scope = scope_from_request(request, org)
    today = date.today()
    figures = monitor_figures_for_page(scope=scope, day=today)
    series = trend(organisation=org, since=today - timedelta(days=730))
    latest = series[-1] if series else None
    diversity = snapshot_diversity(latest) if scope.whole_organisation else None
    return render(request, "succession/monitor.html", {
        "org": org, "scope": scope, "f": figures, "series": series, "latest": latest,
        "trend_chart": latest.figures.get("trend_svg") if latest and scope.whole_organisation else None,
        "diversity": diversity, "query": urlencode(scope.query()),
        "can_manage": permissions.can_manage_talent(request.user, org),
        **drill_down_choices(org),
        "breadcrumbs": _org_crumbs(org),
    })


@login_required
def risk_list(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    scope = scope_from_request(request, org)
    today = date.today()
    window_end = add_months(today, settings_for(org).risk_window_months)
    return render(request, "succession/risk_list.html", {
        "org": org, "scope": scope, "window_end": window_end,
        "page": page_of(request, leaving_within(scope=scope, day=today, window_end=window_end)),
        "vacant": vacant_without_successor(scope=scope, day=today)[:200],
        "breadcrumbs": _monitor_crumbs(org),
    })


@login_required
def pools(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    scope = scope_from_request(request, org)
    empty_only = request.GET.get("empty") == "1"
    page = page_of(request, selectors.pools_list(scope=scope, day=date.today(), empty_only=empty_only))
    for position in page:
        selectors.decorate_position(position)
        position.pool = getattr(position, "succession_pool", None)
    return render(request, "succession/pools.html", {
        "org": org, "scope": scope, "page": page, "empty_only": empty_only, **drill_down_choices(org),
        "can_manage": permissions.can_manage_talent(request.user, org),
        "breadcrumbs": _monitor_crumbs(org),
    })


@login_required
def diversity(request, slug):
    org = organisation_for(request, slug, permissions.can_see_pipeline_diversity)
    show_pools = permissions.can_see_pool_demographics(request.user, org)
    tables = []
    for dimension in ("gender", "ethnicity"):
        table = cached_pipeline_diversity(organisation=org, dimension=dimension)
        kinds = ("organisation", "level", "division", "pool") if show_pools else ("organisation", "level", "division")
        tables.append((table, [(kind, table.of(kind)) for kind in kinds]))
    return render(request, "succession/diversity.html", {
        "org": org, "tables": tables, "show_pools": show_pools,
        # The equality lead sees this page without the monitor above it.
        "breadcrumbs": _monitor_crumbs(org) if permissions.can_view_succession_monitor(request.user, org)
        else _org_crumbs(org)})


@login_required
def monitor_settings(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_talent)
    form = SettingsForm(request.POST or None, instance=settings_for(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_monitor_settings(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The monitor's settings are saved.")
            return redirect("succession:monitor", slug=org.slug)
    return render(request, "succession/settings.html", {"org": org, "form": form, "breadcrumbs": _monitor_crumbs(org)})


def _chart_context(request, org):
    scope = scope_from_request(request, org)
    chart = selectors.succession_chart(organisation=org, day=date.today(), division=scope.division)
    return {"org": org, "scope": scope, "chart": chart, "drawing": selectors.chart_drawing(chart),
            "today": date.today(), **drill_down_choices(org)}


@login_required
def chart(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    context = _chart_context(request, org)
    context["breadcrumbs"] = _monitor_crumbs(org)
    return render(request, "succession/chart.html", context)


@login_required
def chart_pdf(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    return pdf_response(template="succession/chart_pdf.html", context=_chart_context(request, org),
                        filename=f"succession-chart-{org.slug}-{date.today():%Y-%m-%d}.pdf", request=request)


@login_required
def scorecards_xlsx(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    header, rows = selectors.scorecards(organisation=org, day=date.today())
    return xlsx_response(sheets={"Pool scorecards": (header, rows)},
                         filename=f"succession-scorecards-{org.slug}-{date.today():%Y-%m-%d}.xlsx")


@login_required
def dyads(request, slug):
    org = organisation_for(request, slug, permissions.can_view_organisation)
    scope = scope_from_request(request, org)
    return render(request, "succession/dyads.html", {
        "org": org, "scope": scope, **drill_down_choices(org),
        "chart": selectors.dyad_chart(organisation=org, day=date.today(), division=scope.division),
        "breadcrumbs": _org_crumbs(org),
    })
