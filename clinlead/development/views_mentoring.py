"""Coaching and mentoring: the pool, matching suggestions, agreements, the session log with
private notes (the pair only) and end-of-relationship feedback."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import organisation_for, require
from clinlead.development import selectors, services_people
from clinlead.development.forms import (
    AgreementForm,
    MentoringFeedbackForm,
    MentorPoolForm,
    SessionForm,
    SuggestionsForm,
)
from clinlead.development.models import MentoringAgreement, MentorProfile
from clinlead.development.services import find_person
from clinlead.development.views import home_crumbs, person_crumbs
from clinlead.org.models import Person
from clinlead.service_errors import show_as_messages, show_on_form


def _pool_page(request, org, form=None):
    profiles = selectors.with_mentees_taken(MentorProfile.objects.filter(person__organisation=org).select_related("person"))
    return render(request, "development/mentor_pool.html", {
        "org": org, "profiles": profiles, "form": form or MentorPoolForm(), "breadcrumbs": home_crumbs()})


@login_required
def mentor_pool(request, slug):
    return _pool_page(request, organisation_for(request, slug, permissions.can_manage_development))


@login_required
def mentor_add(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_development)
    if request.method != "POST":
        return redirect("development:mentor_pool", slug=org.slug)
    form = MentorPoolForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = find_person(organisation=org, staff_number=data["staff_number"])
            services_people.join_mentor_pool(actor=request.user, person=person, mentoring=data["mentoring"],
                                             coaching=data["coaching"], capacity=data["capacity"],
                                             interests=data["interests"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{person.full_name} is in the mentor and coach pool.")
            return redirect("development:mentor_pool", slug=org.slug)
    return _pool_page(request, org, form)


def _suggestions_page(request, mentee, agreement_form=None):
    form = SuggestionsForm(request.GET or None, initial={"interests": selectors.mentee_interests(person=mentee)})
    kind = form.cleaned_data["kind"] if form.is_valid() else "mentoring"
    interests = form.cleaned_data["interests"] if form.is_bound and form.is_valid() else selectors.mentee_interests(
        person=mentee)
    return render(request, "development/mentor_suggestions.html", {
        "mentee": mentee, "form": form, "kind": kind,
        "suggestions": selectors.mentor_suggestions(mentee=mentee, kind=kind, interests=interests, day=date.today()),
        "can_arrange": permissions.can_arrange_mentoring(request.user, mentee),
        "agreement_form": agreement_form, "breadcrumbs": person_crumbs(mentee)})


def _person(request, pk, rule):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(rule(request.user, person))
    return person


@login_required
def mentor_suggestions(request, pk):
    return _suggestions_page(request, _person(request, pk, permissions.can_see_mentor_suggestions))


@login_required
def agreement_create(request, pk):
    mentee = _person(request, pk, permissions.can_arrange_mentoring)
    if request.method != "POST":
        return redirect("development:mentor_suggestions", pk=mentee.pk)
    form = AgreementForm(request.POST)
    if form.is_valid():
        mentor = Person.objects.filter(pk=form.cleaned_data["mentor"], organisation=mentee.organisation).first()
        try:
            if mentor is None:
                raise ValidationError("Choose a mentor from the suggestions")
            agreement = services_people.start_agreement(actor=request.user, mentor=mentor, mentee=mentee,
                                                        kind=form.cleaned_data["kind"], goals=form.cleaned_data["goals"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{agreement} agreed.")
            return redirect(agreement)
    return _suggestions_page(request, mentee, agreement_form=form)


def _load(request, pk, rule):
    agreement = get_object_or_404(MentoringAgreement.objects.select_related(
        "mentor__organisation", "mentee__organisation"), pk=pk)
    require(rule(request.user, agreement))
    return agreement


def _agreement_page(request, agreement, session_form=None, feedback_form=None):
    user = request.user
    in_pair = permissions.can_read_session_notes(user, agreement)
    side = None
    if in_pair:
        side = "mentor" if user.person_id == agreement.mentor_id else "mentee"
    return render(request, "development/agreement.html", {
        "agreement": agreement, "sessions": agreement.sessions.all(), "in_pair": in_pair,
        "feedback": agreement.feedback.all(), "given": agreement.feedback.filter(side=side).exists() if side else True,
        "session_form": session_form or SessionForm(), "feedback_form": feedback_form or MentoringFeedbackForm(),
        "can_end": permissions.can_end_agreement(user, agreement) and agreement.is_active,
        "is_mentee": side == "mentee",
        "other_side": agreement.mentee if side == "mentor" else agreement.mentor,
        "breadcrumbs": person_crumbs(agreement.mentee) if permissions.can_view_development(user, agreement.mentee)
        else home_crumbs(),
    })


@login_required
def agreement(request, pk):
    return _agreement_page(request, _load(request, pk, permissions.can_view_agreement))


@login_required
def log_session(request, pk):
    agreement = _load(request, pk, permissions.can_read_session_notes)
    if request.method != "POST":
        return redirect(agreement)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services_people.log_session(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "Session logged.")
            return redirect(agreement)
    return _agreement_page(request, agreement, session_form=form)


@login_required
def end_agreement(request, pk):
    agreement = _load(request, pk, permissions.can_end_agreement)
    error = None
    if request.method == "POST":
        try:
            services_people.end_agreement(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "The relationship has ended. The mentor and mentee can now give feedback.")
            return redirect(agreement)
    return render(request, "development/agreement_end.html", {
        "agreement": agreement, "error": error,
        "breadcrumbs": home_crumbs((str(agreement), reverse("development:agreement", kwargs={"pk": agreement.pk})))})


@login_required
def consent_agreement(request, pk):
    agreement = _load(request, pk, permissions.can_read_session_notes)
    if request.method == "POST":
        try:
            services_people.consent_to_agreement(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            show_as_messages(request, exc)
        else:
            messages.success(request, "You have agreed to this relationship.")
    return redirect(agreement)


@login_required
def agreement_feedback(request, pk):
    agreement = _load(request, pk, permissions.can_read_session_notes)
    if request.method != "POST":
        return redirect(agreement)
    form = MentoringFeedbackForm(request.POST)
    if form.is_valid():
        try:
            services_people.give_mentoring_feedback(actor=request.user, agreement=agreement,
                                                    usefulness=int(form.cleaned_data["usefulness"]),
                                                    comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect(agreement)
    return _agreement_page(request, agreement, feedback_form=form)
