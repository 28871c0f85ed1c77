"""Pools and candidates: "my successors", a pool's page and scorecard, nominating and rating,
the candidate card and the holder's planned departure. Views are thin: rules in
`clinlead.accounts.permissions`, reads in selectors, writes in services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, require
from clinlead.development.selectors import onboarding_warnings
from clinlead.org.models import Appointment, Person, Position
from clinlead.org.selectors import search_people
from clinlead.service_errors import show_as_messages, show_on_form
from clinlead.succession import selectors, services
from clinlead.succession.forms import CandidateForm, NominateForm, PlanForm
from clinlead.succession.models import PoolCandidate, SuccessionPool
from clinlead.succession.monitor_store import cached_pipeline_diversity


def _crumbs(request, org, *more):
    pairs = [("Home", reverse("home")), (org.name, org.get_absolute_url())]
    if permissions.can_view_succession_monitor(request.user, org):
        pairs.append(("Succession monitor", reverse("succession:monitor", kwargs={"slug": org.slug})))
    elif permissions.can_use_my_successors(request.user):
        pairs.append(("My successors", reverse("succession:my_successors")))
    return crumbs(*pairs, *more)


def _position(pk, rule, user):
    position = get_object_or_404(Position.objects.select_related("organisation", "unit", "level"), pk=pk)
    require(rule(user, position))
    return position


@login_required
def my_successors(request):
    require(permissions.can_use_my_successors(request.user))
    person = request.user.person if request.user.person_id else None
    positions = selectors.my_positions(person=person, day=date.today()) if person else []
    return render(request, "succession/my_successors.html", {
        "positions": positions, "breadcrumbs": crumbs(("Home", reverse("home")))})


@login_required
def pool(request, pk):
    position = _position(pk, permissions.can_view_pool, request.user)
    org = position.organisation
    context = selectors.pool_page(position=position, day=date.today())
    context.update({
        "org": org,
        "can_manage": permissions.can_manage_pool(request.user, position),
        "show_evidence": permissions.can_manage_talent(request.user, org),
        "can_manage_terms": permissions.can_manage_terms(request.user, org),
        "can_see_aggregates": permissions.can_view_succession_monitor(request.user, org),
        "breadcrumbs": _crumbs(request, org),
    })
    pool = context["pool"]
    if pool is not None and permissions.can_see_pool_demographics(request.user, org):
        context["demographics"] = []
        for dimension in ("gender", "ethnicity"):
            table = cached_pipeline_diversity(organisation=org, dimension=dimension)
            for row in table.of("pool", {pool.pk}):
                context["demographics"].append((table, row))
    return render(request, "succession/pool.html", context)


@login_required
@require_POST
def create_pool(request, pk):
    position = _position(pk, permissions.can_manage_pool, request.user)
    try:
        services.create_pool(actor=request.user, position=position)
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, f"The succession pool for {position.title} is ready for candidates.")
    return redirect("succession:pool", pk=position.pk)


@login_required
def nominate(request, pk):
    position = _position(pk, permissions.can_manage_pool, request.user)
    org = position.organisation
    form = NominateForm(request.POST or None, organisation=org,
                        initial={"staff_number": request.GET.get("staff_number", "")[:30]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.nominate_candidate(
                actor=request.user, position=position, person=data["person"], readiness=data["readiness"],
                development_actions=data["development_actions"], notes=data["notes"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{entry.person} is in the pool for {position.title}: "
                                      f"{entry.get_readiness_display()}.")
            onboarding = onboarding_warnings([entry.person_id]).get(entry.person_id)
            if onboarding:
                messages.warning(request, f"Onboarding not finished for {entry.person}: {onboarding}.")
            return redirect("succession:pool", pk=position.pk)
    query = request.GET.get("q", "").strip()[:100]
    found = list(search_people(organisation=org, query=query).filter(active=True)[:20]) if query else None
    chosen = selectors.person_in(organisation=org, staff_number=form["staff_number"].value() or "")
    onboarding = onboarding_warnings([p.pk for p in found or []] + ([chosen.pk] if chosen else []))
    for p in found or []:
        p.onboarding = onboarding.get(p.pk)
    return render(request, "succession/nominate.html", {
        "position": position, "form": form, "query": query, "found": found,
        "chosen": chosen, "chosen_onboarding": onboarding.get(chosen.pk) if chosen else None,
        "breadcrumbs": _crumbs(request, org, (position.title, reverse("succession:pool", kwargs={"pk": position.pk}))),
    })


def _entry(pk, user):
    entry = get_object_or_404(PoolCandidate.objects.select_related("pool__position__organisation", "person"), pk=pk)
    require(permissions.can_manage_pool(user, entry.pool.position))
    return entry


@login_required
def edit_candidate(request, pk):
    entry = _entry(pk, request.user)
    position = entry.pool.position
    form = CandidateForm(request.POST or None, initial={
        "readiness": entry.readiness, "development_actions": entry.development_actions, "notes": entry.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_candidate(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{entry.person} updated.")
            return redirect("succession:pool", pk=position.pk)
    return render(request, "succession/edit_candidate.html", {
        "entry": entry, "position": position, "form": form,
        "breadcrumbs": _crumbs(request, position.organisation,
                               (position.title, reverse("succession:pool", kwargs={"pk": position.pk}))),
    })


@login_required
@require_POST
def remove_candidate(request, pk):
    entry = _entry(pk, request.user)
    if request.POST.get("confirm") != "yes":  # the button on the candidate's page says so
        return redirect("succession:edit_candidate", pk=entry.pk)
    services.remove_candidate(actor=request.user, entry=entry)
    messages.success(request, f"{entry.person} is no longer in the pool for {entry.pool.position.title}.")
    return redirect("succession:pool", pk=entry.pool.position_id)


@login_required
def candidate_card(request, pk):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(permissions.can_view_candidate_card(request.user, person))
    visible = SuccessionPool.objects.filter(position__organisation=person.organisation)
    context = selectors.candidate_card(person=person, day=date.today(), visible_pools=visible)
    context["breadcrumbs"] = _crumbs(request, person.organisation,
                                     ("Talent search", reverse("succession:search", kwargs={"slug": person.organisation.slug})))
    return render(request, "succession/candidate_card.html", context)


@login_required
def departure_plan(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("position__organisation", "person"), pk=pk)
    require(permissions.can_plan_departure(request.user, appointment))
    position = appointment.position
    plan = getattr(appointment, "succession_plan", None)
    form = PlanForm(request.POST or None, initial={"planned_departure": plan.planned_departure if plan else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_planned_departure(actor=request.user, appointment=appointment,
                                           planned_departure=form.cleaned_data["planned_departure"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The planned departure is recorded.")
            return redirect("succession:pool", pk=position.pk)
    return render(request, "succession/departure_plan.html", {
        "appointment": appointment, "position": position, "form": form,
        "breadcrumbs": _crumbs(request, position.organisation,
                               (position.title, reverse("succession:pool", kwargs={"pk": position.pk}))),
    })
