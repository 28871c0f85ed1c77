"""Running a selection up to the ballot: list, open a vacancy, policy, the task list, candidates,
electorate, interviews and scheduling the ballot. Views are thin: rules in permissions, actions in
services, reads in selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, page_of, person_in, require
from clinlead.custody import key_files_download
from clinlead.org import selectors as org_selectors
from clinlead.org.models import Person
from clinlead.selection import forms, rules, selectors, services
from clinlead.selection.models import (
    Candidate,
    InterviewAttendance,
    InterviewSession,
    Selection,
    SelectionPolicy,
)
from clinlead.selection.tasklist import task_list
from clinlead.service_errors import show_as_messages, show_on_form


def selection_for(request, pk, rule):
    selection = get_object_or_404(
        Selection.objects.select_related("vacancy__position__unit", "vacancy__position__level", "unit",
                                         "organisation"), pk=pk)
    require(rule(request.user, selection))
    return selection


def selection_crumbs(request, selection, *more):
    pairs = [("Home", reverse("home"))]
    if permissions.can_manage_selection(request.user, selection):
        pairs.append(("Selections", reverse("selection:list", kwargs={"slug": selection.organisation.slug})))
    pairs.append((selection.position.title, selection.get_absolute_url()))
    return crumbs(*pairs, *more)


def _org_crumbs(org):
    return crumbs(("Home", reverse("home")), ("Selections", reverse("selection:list", kwargs={"slug": org.slug})))


# ------------------------------------------------------------------ the organisation's selections
@login_required
def selections(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_talent)
    context = {"org": org, "page": page_of(request, selectors.selections_of(organisation=org)),
               "policy": SelectionPolicy.for_organisation(org), "breadcrumbs": crumbs(("Home", reverse("home")))}
    return render(request, "selection/list.html", context)


@login_required
def open_vacancy(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_talent)
    form = forms.OpenVacancyForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = services.open_vacancy(actor=request.user, position=form.cleaned_data["position"],
                                            reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Vacancy opened: {vacancy.position}. Nominations are open.")
            return redirect(vacancy.selection)
    return render(request, "selection/open_vacancy.html", {"org": org, "form": form, "breadcrumbs": _org_crumbs(org)})


@login_required
def policy(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_talent)
    form = forms.PolicyForm(request.POST or None, instance=SelectionPolicy.for_organisation(org))
    if request.method == "POST" and form.is_valid():
        services.save_policy(actor=request.user, organisation=org, **form.cleaned_data)
        messages.success(request, "Selection policy saved. It applies to vacancies opened from now on.")
        return redirect("selection:list", slug=org.slug)
    return render(request, "selection/policy.html", {"org": org, "form": form, "breadcrumbs": _org_crumbs(org)})


# ------------------------------------------------------------------ one selection
@login_required
def detail(request, pk):
    selection = selection_for(request, pk, permissions.can_view_selection)
    person = selectors.person_from_user(request.user)
    context = {
        "selection": selection,
        "tasks": task_list(request.user, selection, person=person),
        "manager": permissions.can_manage_selection(request.user, selection),
        "turnout": selectors.turnout(selection=selection) if selection.electorate_size else 0,
        "quorum": rules.quorum_needed(selection) if selection.electorate_size else 0,
        "breadcrumbs": selection_crumbs(request, selection)[:-1],
    }
    return render(request, "selection/detail.html", context)


@login_required
def candidates(request, pk):
    selection = selection_for(request, pk, permissions.can_see_candidates)
    manager = permissions.can_manage_selection(request.user, selection)
    query = request.GET.get("q", "").strip()[:100] if manager else ""
    found = None
    if query and selection.stage == Selection.Stage.NOMINATIONS:
        found = page_of(request, org_selectors.search_people(organisation=selection.organisation, query=query)
                        .filter(active=True), per_page=20)
    context = {
        "selection": selection, "manager": manager, "query": query, "found": found,
        "candidates": selection.candidates.select_related("person").prefetch_related("interviews"),
        "suggestions": _succession_pool(selection) if manager and selection.stage == Selection.Stage.NOMINATIONS else [],
        "policy": SelectionPolicy.for_organisation(selection.organisation),
        "me": selectors.person_from_user(request.user),
        "withdrawal_rule": rules.WITHDRAWAL_AFTER_OPENING,
        "ballot_opened": rules.ballot_has_opened(selection, now=timezone.now()),
        "breadcrumbs": selection_crumbs(request, selection),
    }
    return render(request, "selection/candidates.html", context)


def _succession_pool(selection):
    """Active people in the position's succession pool, when the succession feature keeps one
    (its `position.succession_pool.candidates`). Nominations never depend on it."""
    try:
        entries = selection.position.succession_pool.candidates.select_related("person")
        people = [entry.person for entry in entries]
    except (AttributeError, ObjectDoesNotExist):
        return []
    standing = set(selection.candidates.values_list("person_id", flat=True))
    return [p for p in people if p.active and p.pk not in standing]


@login_required
@require_POST
def nominate(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    person = person_in(selection.organisation, request.POST.get("person"))
    if person is None:
        messages.error(request, "Choose a person to nominate.")
    else:
        try:
            services.nominate_candidate(actor=request.user, selection=selection, person=person)
        except ValidationError as exc:
            show_as_messages(request, exc)
        else:
            messages.success(request, f"{person.full_name} is now a candidate.")
    return redirect("selection:candidates", pk=selection.pk)


@login_required
def self_nominate(request, pk):
    selection = selection_for(request, pk, permissions.can_put_self_forward)
    person = selectors.person_from_user(request.user)
    allowed = SelectionPolicy.for_organisation(selection.organisation).allow_self_nomination
    problems = selectors.candidate_problems(selection=selection, person=person, day=timezone.localdate())
    form = forms.StatementForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.nominate_candidate(actor=request.user, selection=selection, person=person,
                                        statement=form.cleaned_data["statement"], self_nominated=True)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"You are now a candidate for {selection.position}.")
            return redirect("home")
    context = {"selection": selection, "form": form, "allowed": allowed, "problems": problems,
               "open": selection.stage == Selection.Stage.NOMINATIONS,
               "breadcrumbs": crumbs(("Home", reverse("home")))}
    return render(request, "selection/self_nominate.html", context)


@login_required
@require_POST
def withdraw(request, pk):
    candidate = get_object_or_404(Candidate.objects.select_related("selection", "person"), pk=pk)
    require(permissions.can_withdraw_candidate(request.user, candidate))
    try:
        services.withdraw_candidate(actor=request.user, candidate=candidate,
                                    reason=request.POST.get("reason", "")[:2000])
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, f"{candidate.person.full_name} has withdrawn.")
    if permissions.can_see_candidates(request.user, candidate.selection):
        return redirect("selection:candidates", pk=candidate.selection_id)
    return redirect("home")


@login_required
def electorate(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    form = forms.CutoffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_nominations(actor=request.user, selection=selection, cutoff=form.cleaned_data["cutoff"])
        except ValidationError as exc:
            show_on_form(form, exc, "cutoff")
        else:
            messages.success(request, "Nominations are closed and the electorate is fixed.")
            return redirect("selection:electorate", pk=selection.pk)
    people = Person.objects.filter(id__in=selection.electors.values("person_id")).order_by("last_name", "first_name")
    context = {"selection": selection, "form": form, "electors": page_of(request, people),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/electorate.html", context)


@login_required
def interviews(request, pk):
    selection = selection_for(request, pk, permissions.can_view_selection)
    manager = permissions.can_manage_selection(request.user, selection)
    form = forms.InterviewForm(request.POST or None, selection=selection)
    if request.method == "POST":
        require(manager)
        if form.is_valid():
            try:
                services.schedule_interview(actor=request.user, selection=selection, **form.cleaned_data)
            except ValidationError as exc:
                show_on_form(form, exc)
            else:
                messages.success(request, "Interview scheduled.")
                return redirect("selection:interviews", pk=selection.pk)
    person = selectors.person_from_user(request.user)
    sessions = list(InterviewSession.objects.filter(selection=selection).prefetch_related("candidates__person"))
    attended = set(InterviewAttendance.objects.filter(session__selection=selection, person=person)
                   .values_list("session_id", flat=True)) if person else set()
    for session in sessions:
        session.attended = session.pk in attended
        session.started = session.starts_at <= timezone.now()
        session.taking_part = session.attendance.count() if manager else None
    context = {
        "selection": selection, "manager": manager, "form": form, "sessions": sessions,
        "elector": selectors.is_elector(selection=selection, person=person),
        "can_schedule": manager and selection.stage in {Selection.Stage.INTERVIEWS, Selection.Stage.BALLOT},
        "recorder": permissions.can_record_attendance(request.user, selection),
        "electors": (Person.objects.filter(id__in=selection.electors.values("person_id")).order_by("last_name", "first_name")
                     if permissions.can_record_attendance(request.user, selection) else []),
        "open": selection.stage in {Selection.Stage.INTERVIEWS, Selection.Stage.BALLOT},
        "breadcrumbs": selection_crumbs(request, selection),
    }
    return render(request, "selection/interviews.html", context)


@login_required
@require_POST
def took_part(request, pk):
    session = get_object_or_404(InterviewSession.objects.select_related("selection"), pk=pk)
    selection = session.selection
    person = selectors.person_from_user(request.user)
    require(permissions.can_record_attendance(request.user, selection))
    person = person_in(selection.organisation, request.POST.get("person"))
    try:
        if person is None:
            raise ValidationError("Choose the member of staff who took part.")
        services.record_interview_attendance(actor=request.user, session=session, person=person)
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, f"Recorded: {person.full_name} took part in the interview at {session.place}.")
    return redirect("selection:interviews", pk=selection.pk)


@login_required
def schedule_ballot(request, pk):
    """Schedule the ballot and make its key: the answer to the POST is the key files, handed out
    this once (Clinlead keeps only the public key)."""
    selection = selection_for(request, pk, permissions.can_manage_selection)
    form = forms.BallotScheduleForm.for_selection(selection, request.POST or None)
    custody = forms.BallotCustodiansForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and custody.is_valid():
        try:
            keys = services.schedule_ballot(actor=request.user, selection=selection, **form.cleaned_data,
                                            passphrases=custody.passphrases(),
                                            custodians=custody.custodians(request.user))
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            return key_files_download(keys=keys, name=f"ballot {selection.pk} {selection.position.title}")
    context = {"selection": selection, "form": form, "custody": custody,
               "ready": selection.stage == Selection.Stage.INTERVIEWS,
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/schedule_ballot.html", context)
