"""Terms and rotation: terms ending with their warnings, appointing, reappointing (with an
exception past the term limit) and starting a selection from a warning."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, page_of, require
from clinlead.dates import add_months
from clinlead.org import appointments
from clinlead.org.models import Appointment, Position
from clinlead.selection.services import open_vacancy
from clinlead.service_errors import show_on_form
from clinlead.succession import terms
from clinlead.succession.forms import AppointForm, ReappointForm, StartSelectionForm
from clinlead.succession.models import MILESTONES, TermWarning
from clinlead.succession.monitor import current_appointments
from clinlead.succession.views_monitor import drill_down_choices, scope_from_request


def _crumbs(org, *more):
    return crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()),
                  ("Succession monitor", reverse("succession:monitor", kwargs={"slug": org.slug})), *more)


def _pool_crumb(position):
    return (position.title, reverse("succession:pool", kwargs={"pk": position.pk}))


@login_required
def terms_ending(request, slug):
    org = organisation_for(request, slug, permissions.can_view_succession_monitor)
    scope = scope_from_request(request, org)
    today = date.today()
    horizon = add_months(today, max(MILESTONES))
    queryset = (current_appointments(today).filter(scope.q("position__"), end__lte=horizon)
                .select_related("person", "position__level", "position__succession_pool")
                .prefetch_related(Prefetch("term_warnings", queryset=TermWarning.objects.filter(emailed=True),
                                           to_attr="warnings_sent"))
                .order_by("end", "position__title"))
    page = page_of(request, queryset)
    for appointment in page:
        due = terms.due_milestones(appointment.end, today)
        appointment.milestone = min(due) if due else None
        appointment.selection_link = terms.selection_link(appointment.position)
        appointment.past_limit = appointment.term_number >= appointment.position.max_consecutive_terms
    return render(request, "succession/terms.html", {
        "org": org, "scope": scope, "page": page, **drill_down_choices(org),
        "can_manage": permissions.can_manage_terms(request.user, org),
        "breadcrumbs": _crumbs(org),
    })


@login_required
def appoint(request, pk):
    position = get_object_or_404(Position.objects.select_related("organisation"), pk=pk)
    require(permissions.can_manage_terms(request.user, position.organisation))
    form = AppointForm(request.POST or None, organisation=position.organisation,
                       initial={"start": date.today(), "management_sessions": 2, "clinical_sessions": 8})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointments.appoint(
                actor=request.user, position=position, person=data["person"], start=data["start"],
                management_sessions=data["management_sessions"], clinical_sessions=data["clinical_sessions"],
                term_limit_exception=data["term_limit_exception"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{appointment.person} is appointed as {position.title}, term "
                                      f"{appointment.term_number}, until {appointment.end:%d %B %Y}.")
            return redirect("succession:pool", pk=position.pk)
    return render(request, "succession/appoint.html", {
        "position": position, "form": form, "appointment": None,
        "breadcrumbs": _crumbs(position.organisation, _pool_crumb(position))})


@login_required
def reappoint(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("position__organisation", "person"), pk=pk)
    position = appointment.position
    require(permissions.can_manage_terms(request.user, position.organisation))
    form = ReappointForm(request.POST or None, initial={
        "management_sessions": appointment.management_sessions, "clinical_sessions": appointment.clinical_sessions})
    if request.method == "POST" and form.is_valid():
        try:
            new = appointments.reappoint(actor=request.user, appointment=appointment, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{new.person} is reappointed as {position.title}: term {new.term_number}, "
                                      f"{new.start:%d %B %Y} to {new.end:%d %B %Y}.")
            return redirect("succession:pool", pk=position.pk)
    return render(request, "succession/appoint.html", {
        "position": position, "form": form, "appointment": appointment,
        "next_term": appointment.term_number + 1,
        "breadcrumbs": _crumbs(position.organisation, _pool_crumb(position))})


@login_required
def start_selection(request, pk):
    position = get_object_or_404(Position.objects.select_related("organisation"), pk=pk)
    require(permissions.can_manage_terms(request.user, position.organisation))
    form = StartSelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = open_vacancy(actor=request.user, position=position, reason=form.cleaned_data["reason"],
                                   note=form.cleaned_data["note"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"A selection for {position.title} has started.")
            return redirect(vacancy.selection)
    return render(request, "succession/start_selection.html", {
        "position": position, "form": form,
        "breadcrumbs": _crumbs(position.organisation, _pool_crumb(position))})
