"""Assessment pages: start one, self-assess, propose raters, approve them (and take the custodian
key file), give feedback by a single-use link, close it with the key file, void it, and read the
report."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinlead import custody
from clinlead.accounts import permissions
from clinlead.accounts.access import require
from clinlead.development import selectors_assessment, services_assessment
from clinlead.development.forms import (
    ApproveRatersForm,
    InviteForm,
    ScoresForm,
    StartAssessmentForm,
    VoidForm,
)
from clinlead.development.models import Assessment, FeedbackInvitation, RaterGroup
from clinlead.development.views import home_crumbs, person_crumbs
from clinlead.org import selectors as org_selectors
from clinlead.org.models import Person
from clinlead.service_errors import show_on_form


def _load(request, pk, rule):
    assessment = get_object_or_404(Assessment.objects.select_related("person__organisation", "framework"), pk=pk)
    require(rule(request.user, assessment))
    return assessment


@login_required
def assessment_start(request, pk):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(permissions.can_record_for(request.user, person))
    form = StartAssessmentForm(request.POST or None, organisation=person.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services_assessment.start_assessment(actor=request.user, person=person,
                                                              framework=form.cleaned_data["framework"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Assessment against {assessment.framework.name} started.")
            return redirect(assessment)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Start an assessment", "caption": person.full_name, "submit": "Start",
        "intro": "Choose the framework. You then rate yourself and may invite your line manager, peers "
                 "and direct reports to give feedback.", "breadcrumbs": person_crumbs(person)})


@login_required
def assessment(request, pk):
    assessment = _load(request, pk, permissions.can_view_assessment)
    report = selectors_assessment.assessment_report(assessment=assessment)
    chart = selectors_assessment.assessment_chart(report, person_name=assessment.person.full_name)
    invitations = assessment.invitations.select_related("rater")
    manager = next((i.rater for i in invitations if i.rater_group == RaterGroup.MANAGER), None)
    return render(request, "development/assessment.html", {
        "assessment": assessment, "person": assessment.person, "report": report, "chart": chart,
        "manager": manager,
        "invited": {label: sum(1 for i in invitations if i.rater_group == value) for value, label in RaterGroup.choices},
        "is_self": permissions.can_self_assess(request.user, assessment),
        "pending": sum(1 for i in invitations if not i.approved),
        "can_approve": permissions.can_approve_raters(request.user, assessment),
        "can_void": permissions.can_void_assessment(request.user, assessment),
        "breadcrumbs": person_crumbs(assessment.person)})


@login_required
def self_assessment(request, pk):
    assessment = _load(request, pk, permissions.can_self_assess)
    initial = {f"d{k}": str(v) for k, v in assessment.self_scores.items()}
    form = ScoresForm(request.POST or None, assessment=assessment, initial=initial)
    if request.method == "POST" and assessment.is_open and form.is_valid():
        try:
            services_assessment.submit_self_assessment(actor=request.user, assessment=assessment,
                                                       scores=form.scores())
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "Your self-assessment is saved.")
            return redirect(assessment)
    return render(request, "development/scores_form.html", {
        "assessment": assessment, "form": form, "title": "Your self-assessment",
        "action": reverse("development:self_assessment", kwargs={"pk": assessment.pk}),
        "breadcrumbs": person_crumbs(assessment.person, ("Assessment", assessment.get_absolute_url()))})


@login_required
def invite_raters(request, pk):
    assessment = _load(request, pk, permissions.can_run_assessment)
    person, today = assessment.person, date.today()
    leader = org_selectors.immediate_leader(person=person, day=today)
    reports = list(org_selectors.direct_reports(person=person, day=today).order_by("last_name", "first_name"))
    form = InviteForm(request.POST or None, leader=leader, reports=reports)
    if request.method == "POST" and form.is_valid():
        raters = []
        try:
            if form.cleaned_data.get("manager") and leader is not None:
                raters.append((leader, RaterGroup.MANAGER))
            by_id = {str(p.pk): p for p in reports}
            raters += [(by_id[i], RaterGroup.DIRECT_REPORT) for i in form.cleaned_data.get("direct_reports", [])]
            for number in form.peer_numbers():
                raters.append((_peer(person, number), RaterGroup.PEER))
            invitations = services_assessment.invite_raters(actor=request.user, assessment=assessment, raters=raters)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{len(invitations)} people proposed as raters. They are asked once the "
                                      "line manager, a programme lead or a talent admin approves the list.")
            return redirect(assessment)
    return render(request, "development/invite.html", {
        "assessment": assessment, "form": form,
        "invited": assessment.invitations.select_related("rater").order_by("rater_group", "rater__last_name"),
        "breadcrumbs": person_crumbs(person, ("Assessment", assessment.get_absolute_url()))})


def _peer(person, number):
    peer = Person.objects.filter(organisation=person.organisation, staff_number=number).first()
    if peer is None:
        raise ValidationError(f"No one at {person.organisation} has the staff number {number!r}")
    return peer


@login_required
def approve_raters(request, pk):
    """The line manager, a programme lead or a talent admin approves the proposed raters. The
    first approval makes the custodian key file, handed out once as the response to the POST."""
    assessment = _load(request, pk, permissions.can_approve_raters)
    pending = list(assessment.invitations.filter(approved=False).select_related("rater"))
    form = ApproveRatersForm(request.POST or None, pending=pending, needs_custody=not assessment.public_key)
    if request.method == "POST" and assessment.is_open and form.is_valid():
        try:
            keys = services_assessment.approve_raters(actor=request.user, assessment=assessment,
                                                      decline=form.cleaned_data.get("decline", []),
                                                      passphrases=form.passphrases())
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            if keys is not None:
                messages.success(request, "The raters are approved and have been sent their links. Keep the key "
                                          "file you downloaded, and its passphrase, until the 360 closes.")
                return custody.key_files_download(keys=keys, name=f"360 {assessment.person.full_name}")
            messages.success(request, "The raters are approved and have been sent their links.")
            return redirect(assessment)
    return render(request, "development/approve_raters.html", {
        "assessment": assessment, "form": form, "pending": pending,
        "breadcrumbs": person_crumbs(assessment.person, ("Assessment", assessment.get_absolute_url()))})


@login_required
def close_assessment(request, pk):
    assessment = _load(request, pk, permissions.can_run_assessment)
    sealed = assessment.sealed_answers.exists()
    form = custody.KeyReturnForm(request.POST or None, request.FILES or None) if sealed else None
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        key_files, passphrases = form.key_material() if form is not None else ([], [])
        try:
            services_assessment.close_assessment(actor=request.user, assessment=assessment, key_files=key_files,
                                                 passphrases=passphrases)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "The assessment is closed.")
            return redirect(assessment)
    return render(request, "development/assessment_close.html", {
        "assessment": assessment, "error": error, "form": form,
        "breadcrumbs": person_crumbs(assessment.person, ("Assessment", assessment.get_absolute_url()))})


@login_required
def void_assessment(request, pk):
    assessment = _load(request, pk, permissions.can_void_assessment)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_assessment.void_assessment(actor=request.user, assessment=assessment,
                                                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The assessment is voided; its rater figures are deleted.")
            return redirect(assessment)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Void this 360", "caption": assessment.person.full_name, "submit": "Void the 360",
        "intro": "Voiding deletes the raters' figures for good. Do it when a 360 must be run again with some of "
                 "the same raters within the interval, or when it went wrong.",
        "breadcrumbs": person_crumbs(assessment.person, ("Assessment", assessment.get_absolute_url()))})


@login_required
def give_feedback(request, pk):
    """A rater's single-use link. Anyone but the invited rater gets 'not found'."""
    invitation = (FeedbackInvitation.objects.select_related("assessment__person", "assessment__framework")
                  .filter(pk=pk).first())
    if invitation is None or not invitation.approved or not permissions.can_give_feedback(request.user, invitation):
        raise Http404("No such feedback request")
    assessment = invitation.assessment
    form = ScoresForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and not invitation.used and assessment.is_open and form.is_valid():
        try:
            services_assessment.submit_feedback(actor=request.user, invitation_id=invitation.pk, scores=form.scores())
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Thank you: your feedback for {assessment.person.full_name} is saved.")
            return redirect("development:feedback_requests")
    return render(request, "development/give_feedback.html", {
        "invitation": invitation, "assessment": assessment, "form": form,
        "where_answers_appear": services_assessment.where_answers_appear(invitation),
        "breadcrumbs": home_crumbs(("Feedback requests", reverse("development:feedback_requests")))})
