"""The committee and the appointment: seat leaders from other departments, record each member's
declaration, vote and reasons, then appoint the committee's choice for one term."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import page_of, person_in, require
from clinlead.org import selectors as org_selectors
from clinlead.org.models import Appointment
from clinlead.selection import forms, rules, selectors, services
from clinlead.selection.models import CommitteeMember, Selection
from clinlead.selection.views import selection_crumbs, selection_for
from clinlead.service_errors import show_as_messages, show_on_form


@login_required
def committee(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    if request.method == "POST":
        try:
            done = _change_committee(request, selection)
        except ValidationError as exc:
            show_as_messages(request, exc)
        else:
            messages.success(request, done)
        return redirect("selection:committee", pk=selection.pk)
    query = request.GET.get("q", "").strip()[:100]
    found = None
    if query:
        found = page_of(request, org_selectors.search_people(organisation=selection.organisation, query=query)
                        .filter(active=True), per_page=10)
        today = timezone.localdate()
        for person in found:
            person.problems = selectors.committee_problems(selection=selection, person=person, day=today)
    context = {"selection": selection, "query": query, "found": found,
               "members": selectors.committee_with_units(selection=selection, day=timezone.localdate()),
               "separation": rules.separation_unit(selection),
               "fixed": rules.committee_change_problem(selection, now=timezone.now()),
               "open": not rules.committee_change_problem(selection, now=timezone.now()),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/committee.html", context)


def _change_committee(request, selection):
    """Seat, remove or make chair (the POST's `action`); returns the message to show."""
    action = request.POST.get("action", "add")
    if action == "add":
        person = person_in(selection.organisation, request.POST.get("person"))
        if person is None:
            raise ValidationError("Choose a person to add to the committee.")
        services.add_committee_member(actor=request.user, selection=selection, person=person)
        return f"{person.full_name} has joined the committee."
    raw = str(request.POST.get("member", ""))
    member = (CommitteeMember.objects.filter(selection=selection, pk=int(raw)).select_related("person").first()
              if raw.isdigit() and len(raw) < 12 else None)
    if member is None:
        raise ValidationError("Choose a member of the committee.")
    if action == "remove":
        services.remove_committee_member(actor=request.user, member=member)
        return f"{member.person.full_name} has left the committee."
    services.name_chair(actor=request.user, member=member)
    return f"{member.person.full_name} chairs the committee."


def default_start(selection):
    """The day after the current holder's term ends, or today if the post is empty."""
    today = timezone.localdate()
    holder = Appointment.objects.held_on(today).filter(position=selection.position).order_by("-end").first()
    return holder.last_day + timedelta(days=1) if holder else today


@login_required
def decision(request, pk):
    selection = selection_for(request, pk, permissions.can_decide)
    person = selectors.person_from_user(request.user)
    member = CommitteeMember.objects.filter(selection=selection, person=person).first() if person else None
    counted = selection.stage == Selection.Stage.COUNTED
    shortlist = selectors.shortlist(selection=selection) if selection.is_counted else []
    declaration = forms.DeclarationForm(request.POST if request.POST.get("action") == "declare" else None)
    ballot = forms.CommitteeVoteForm(request.POST if request.POST.get("action") == "vote" else None,
                                     shortlist=selection.candidates.filter(pk__in=[c.pk for c in shortlist])
                                     .select_related("person").order_by("shortlist_rank"),
                                     initial={"candidate": member.vote_for_id if member else None,
                                              "rationale": member.rationale if member else ""})
    tied = selectors.committee_tie(selection=selection) if counted else []
    casting = forms.CastingVoteForm(request.POST if request.POST.get("action") == "casting" else None,
                                    tied=selection.candidates.filter(pk__in=[c.pk for c in tied])
                                    .select_related("person"))
    if request.method == "POST":
        require(member is not None)  # only committee members declare and vote
        form = {"declare": declaration, "casting": casting}.get(request.POST.get("action"), ballot)
        if form.is_valid():
            try:
                if form is declaration:
                    services.declare_interest(actor=request.user, member=member, **form.cleaned_data)
                elif form is casting:
                    services.give_casting_vote(actor=request.user, member=member, **form.cleaned_data)
                else:
                    services.record_committee_vote(actor=request.user, member=member, **form.cleaned_data)
            except ValidationError as exc:
                show_on_form(form, exc)
            else:
                messages.success(request, "Your declaration is recorded." if form is declaration
                                 else "Your casting vote is recorded." if form is casting
                                 else "Your vote and reasons are recorded.")
                return redirect("selection:decision", pk=selection.pk)
    manager = permissions.can_manage_selection(request.user, selection)
    winner, problems = selectors.committee_decision(selection=selection) if counted else (None, [])
    context = {
        "selection": selection, "member": member, "manager": manager, "shortlist": shortlist,
        "declaration": declaration, "ballot": ballot, "counted": counted,
        "members": selection.committee.select_related("person", "vote_for__person"),
        "show_votes": manager or selection.stage == Selection.Stage.APPOINTED,
        "winner": winner, "problems": problems, "casting": casting if tied and member and member.is_chair else None,
        "casting_rule": rules.CASTING_VOTE_RULE,
        "start_form": forms.StartForm(initial={"start": default_start(selection)}),
        "breadcrumbs": selection_crumbs(request, selection),
    }
    return render(request, "selection/decision.html", context)


@login_required
@require_POST
def appoint(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    form = forms.StartForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give the date the term starts, for example 2026-11-30.")
        services.confirm_appointment(actor=request.user, selection=selection, start=form.cleaned_data["start"],
                                     term_limit_exception=form.cleaned_data["term_limit_exception"])
    except ValidationError as exc:
        show_as_messages(request, exc)
        return redirect("selection:decision", pk=selection.pk)
    messages.success(request, "The appointment is made and everyone has been told.")
    return redirect("selection:appointment", pk=selection.pk)


@login_required
def appointment(request, pk):
    selection = selection_for(request, pk, permissions.can_view_selection)
    if selection.stage != Selection.Stage.APPOINTED or selection.appointment is None:
        raise Http404("No appointment has been made yet.")
    context = {"selection": selection, "appointment": selection.appointment,
               "position": selection.position, "can_decide": permissions.can_decide(request.user, selection),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/appointment.html", context)
