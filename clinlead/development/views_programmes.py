"""Programme pages: programmes and their milestones, cohorts, enrolment, a person's progress,
evidence and sign-off per milestone, and the permanent-appointment review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import organisation_for, require
from clinlead.development import selectors, services
from clinlead.development.forms import (
    AppointmentReviewForm,
    CohortForm,
    DueDateForm,
    EnrolmentStatusForm,
    EvidenceForm,
    EvidenceReviewForm,
    MilestoneForm,
    ProgrammeForm,
    SignOffForm,
    StaffNumberForm,
)
from clinlead.development.models import Cohort, Enrolment, MilestoneRecord, Programme
from clinlead.development.views import home_crumbs, person_crumbs
from clinlead.service_errors import show_on_form


def _programme_crumbs(programme, *more):
    return home_crumbs(
        ("Programmes", reverse("development:programmes", kwargs={"slug": programme.organisation.slug})),
        (programme.name, programme.get_absolute_url()), *more)


@login_required
def programmes(request, slug):
    org = organisation_for(request, slug, permissions.can_list_programmes)
    queryset = Programme.objects.filter(organisation=org).prefetch_related("leads__person", "cohorts")
    visible = [p for p in queryset if permissions.can_lead_programme(request.user, p)]
    return render(request, "development/programmes.html", {
        "org": org, "programmes": visible, "can_create": permissions.can_manage_development(request.user, org),
        "breadcrumbs": home_crumbs()})


@login_required
def programme_create(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_development)
    form = ProgrammeForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.create_programme(
                actor=request.user, organisation=org, name=data["name"], summary=data["summary"],
                length_months=data["length_months"], framework=data["framework"],
                ends_with_appointment_review=data["ends_with_appointment_review"],
                use_onboarding_template=data["use_onboarding_template"],
                min_months_before_review=data["min_months_before_review"], panel_size=data["panel_size"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{programme.name} created.")
            return redirect(programme)
    return render(request, "development/form_page.html", {
        "org": org, "form": form, "title": "Create a programme", "caption": org.name, "submit": "Create the programme",
        "breadcrumbs": home_crumbs(("Programmes", reverse("development:programmes", kwargs={"slug": org.slug})))})


def _programme_page(request, programme, *, milestone_form=None, lead_form=None, status=200):
    return render(request, "development/programme.html", {
        "programme": programme,
        "milestones": programme.milestones.all(),
        "leads": programme.leads.select_related("person"),
        "cohorts": programme.cohorts.all(),
        "milestone_form": milestone_form or MilestoneForm(),
        "lead_form": lead_form or StaffNumberForm(prefix="lead"),
        "can_appoint": permissions.can_appoint_programme_leads(request.user, programme.organisation),
        "breadcrumbs": home_crumbs(("Programmes", reverse("development:programmes",
                                                          kwargs={"slug": programme.organisation.slug}))),
    }, status=status)


def _load_programme(request, pk, rule=permissions.can_lead_programme):
    programme = get_object_or_404(Programme.objects.select_related("organisation", "framework"), pk=pk)
    require(rule(request.user, programme))
    return programme


@login_required
def programme(request, pk):
    return _programme_page(request, _load_programme(request, pk))


@login_required
def milestone_add(request, pk):
    programme = _load_programme(request, pk)
    if request.method != "POST":
        return redirect(programme)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Milestone added: {form.cleaned_data['title']}.")
            return redirect(programme)
    return _programme_page(request, programme, milestone_form=form)


@login_required
def programme_add_lead(request, pk):
    programme = _load_programme(request, pk, lambda u, p: permissions.can_appoint_programme_leads(u, p.organisation))
    if request.method != "POST":
        return redirect(programme)
    form = StaffNumberForm(request.POST, prefix="lead")
    if form.is_valid():
        try:
            person = services.find_person(organisation=programme.organisation,
                                          staff_number=form.cleaned_data["staff_number"])
            services.add_programme_lead(actor=request.user, programme=programme, person=person)
        except ValidationError as exc:
            show_on_form(form, exc, "staff_number")
        else:
            messages.success(request, f"{person.full_name} now leads {programme.name}.")
            return redirect(programme)
    return _programme_page(request, programme, lead_form=form)


@login_required
def cohort_create(request, pk):
    programme = _load_programme(request, pk)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"Cohort {cohort.name} created.")
            return redirect(cohort)
    return render(request, "development/form_page.html", {
        "form": form, "title": "Add a cohort", "caption": programme.name, "submit": "Add the cohort", "breadcrumbs": _programme_crumbs(programme)})


def _cohort_page(request, cohort, *, form=None):
    progress = selectors.cohort_progress(cohort=cohort)
    professions = sorted({p.enrolment.person.get_profession_display() for p in progress})
    return render(request, "development/cohort.html", {
        "cohort": cohort, "programme": cohort.programme, "progress": progress, "professions": professions,
        "form": form or StaffNumberForm(), "breadcrumbs": _programme_crumbs(cohort.programme)})


def _load_cohort(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("programme__organisation"), pk=pk)
    require(permissions.can_lead_programme(request.user, cohort.programme))
    return cohort


@login_required
def cohort(request, pk):
    return _cohort_page(request, _load_cohort(request, pk))


@login_required
def enrol(request, pk):
    cohort = _load_cohort(request, pk)
    if request.method != "POST":
        return redirect(cohort)
    form = StaffNumberForm(request.POST)
    if form.is_valid():
        try:
            person = services.find_person(organisation=cohort.programme.organisation,
                                          staff_number=form.cleaned_data["staff_number"])
            services.enrol(actor=request.user, cohort=cohort, person=person,
                           enrolled_on=form.cleaned_data.get("enrolled_on"))
        except ValidationError as exc:
            show_on_form(form, exc, "staff_number")
        else:
            messages.success(request, f"{person.full_name} is enrolled on {cohort.programme.name}.")
            return redirect(cohort)
    return _cohort_page(request, cohort, form=form)


def _load_enrolment(request, pk, rule=permissions.can_view_enrolment):
    enrolment = get_object_or_404(Enrolment.objects.select_related(
        "person__organisation", "cohort__programme__organisation"), pk=pk)
    require(rule(request.user, enrolment))
    return enrolment


@login_required
def enrolment(request, pk):
    return _enrolment_page(request, _load_enrolment(request, pk))


def _enrolment_page(request, enrolment, *, status_form=None):
    user = request.user
    return render(request, "development/enrolment.html", {
        "enrolment": enrolment, "person": enrolment.person, "progress": selectors.enrolment_progress(enrolment),
        "can_decide": permissions.can_decide_appointment_review(user, enrolment),
        # A member who has decided in this round is not offered the form again (it would refuse).
        "has_decided": enrolment.panel_votes.filter(round=services.current_round(enrolment),
                                                    member_id=getattr(user, "person_id", None)).exists(),
        "can_manage": permissions.can_lead_programme(user, enrolment.cohort.programme),
        "can_change_status": permissions.can_manage_enrolment(user, enrolment),
        "status_form": status_form or EnrolmentStatusForm(),
        "review_opens_on": selectors.review_opens_on(enrolment),
        "breadcrumbs": person_crumbs(enrolment.person)})


@login_required
def enrolment_status(request, pk):
    """Pause, resume or withdraw an enrolment."""
    enrolment = _load_enrolment(request, pk, permissions.can_manage_enrolment)
    if request.method != "POST":
        return redirect(enrolment)
    form = EnrolmentStatusForm(request.POST)
    if form.is_valid():
        change, reason = form.cleaned_data["change"], form.cleaned_data["reason"]
        try:
            if change == "pause":
                services.pause_enrolment(actor=request.user, enrolment=enrolment, reason=reason)
            elif change == "resume":
                services.resume_enrolment(actor=request.user, enrolment=enrolment)
            else:
                services.withdraw_enrolment(actor=request.user, enrolment=enrolment, reason=reason)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The enrolment is updated.")
            return redirect(enrolment)
    return _enrolment_page(request, enrolment, status_form=form)


def _milestone_page(request, record, *, evidence_form=None, sign_off_form=None, review_form=None, due_form=None,
                    status=200):
    enrolment = record.enrolment
    user = request.user
    progress = selectors.enrolment_progress(enrolment)
    current = next(r for r in progress.records if r.pk == record.pk)
    return render(request, "development/milestone.html", {
        "record": current, "enrolment": enrolment, "person": enrolment.person,
        "can_upload": permissions.can_upload_evidence(user, enrolment) and enrolment.status == Enrolment.Status.ACTIVE,
        "can_sign_off": permissions.can_sign_off_milestone(user, enrolment) and not current.done
        and enrolment.status == Enrolment.Status.ACTIVE,
        "can_sign_off_now": current.milestone.completion == "sign_off",
        "can_review": permissions.can_review_evidence(user, enrolment) and current.evidence_state == "submitted",
        "can_set_due": permissions.can_manage_enrolment(user, enrolment) and not current.done,
        "review_form": review_form or EvidenceReviewForm(), "due_form": due_form or DueDateForm(),
        "evidence_form": evidence_form or EvidenceForm(), "sign_off_form": sign_off_form or SignOffForm(),
        "breadcrumbs": person_crumbs(enrolment.person, (enrolment.cohort.programme.name, enrolment.get_absolute_url())),
    }, status=status)


def _load_record(request, pk, rule):
    record = get_object_or_404(MilestoneRecord.objects.select_related(
        "milestone", "enrolment__person__organisation", "enrolment__cohort__programme__organisation"), pk=pk)
    require(rule(request.user, record.enrolment))
    return record


@login_required
def milestone(request, pk):
    return _milestone_page(request, _load_record(request, pk, permissions.can_view_enrolment))


@login_required
def upload_evidence(request, pk):
    record = _load_record(request, pk, permissions.can_upload_evidence)
    if request.method != "POST":
        return redirect(record)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = services.upload_evidence(actor=request.user, record=record, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            show_on_form(form, exc, "file")
        else:
            messages.success(request, f"{evidence.original_name} uploaded for {record.milestone.title}.")
            return redirect(record)
    return _milestone_page(request, record, evidence_form=form)


@login_required
def sign_off(request, pk):
    record = _load_record(request, pk, permissions.can_sign_off_milestone)
    if request.method != "POST":
        return redirect(record)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.sign_off_milestone(actor=request.user, record=record, note=form.cleaned_data["note"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"{record.milestone.title} signed off.")
            return redirect(record)
    return _milestone_page(request, record, sign_off_form=form)


@login_required
def review_evidence(request, pk):
    record = _load_record(request, pk, permissions.can_review_evidence)
    if request.method != "POST":
        return redirect(record)
    form = EvidenceReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.review_evidence(actor=request.user, record=record, accept=accept,
                                     reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "Evidence accepted: the milestone is complete." if accept
                             else "Evidence returned to the person with your reason.")
            return redirect(record)
    return _milestone_page(request, record, review_form=form)


@login_required
def set_due_date(request, pk):
    record = _load_record(request, pk, permissions.can_manage_enrolment)
    if request.method != "POST":
        return redirect(record)
    form = DueDateForm(request.POST)
    if form.is_valid():
        try:
            services.set_due_date(actor=request.user, record=record, **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The due date is set for this person.")
            return redirect(record)
    return _milestone_page(request, record, due_form=form)


@login_required
def appointment_review(request, pk):
    enrolment = _load_enrolment(request, pk, permissions.can_decide_appointment_review)
    progress = selectors.enrolment_progress(enrolment)
    form = AppointmentReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.decide_appointment_review(actor=request.user, enrolment=enrolment,
                                                        **form.cleaned_data)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"The panel's decision is recorded: {review.get_decision_display()}." if review
                             else "Your decision and reasons are recorded; the panel's decision follows when every "
                                  "member has given theirs.")
            return redirect(enrolment)
    return render(request, "development/appointment_review.html", {
        "enrolment": enrolment, "person": enrolment.person, "progress": progress, "form": form,
        "blockers": services.review_blockers(enrolment),
        "votes": enrolment.panel_votes.all(), "panel_size": enrolment.cohort.programme.panel_size,
        "breadcrumbs": person_crumbs(enrolment.person, (enrolment.cohort.programme.name, enrolment.get_absolute_url())),
    })
