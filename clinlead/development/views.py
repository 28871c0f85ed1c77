"""Development pages: the landing page, a person's development, a leader's team, feedback
requests and evidence files. Programmes, assessments, people and mentoring have their own
view modules."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, require
from clinlead.development import selectors, uploads
from clinlead.development.models import EvidenceFile, ProgrammeLead
from clinlead.org.models import Person


def home_crumbs(*more):
    return crumbs(("Home", reverse("home")), ("Development", reverse("development:home")), *more)


def person_crumbs(person, *more):
    return home_crumbs((person.full_name, reverse("development:person", kwargs={"pk": person.pk})), *more)


@login_required
def home(request):
    user = request.user
    person = user.person if user.person_id else None
    organisations = []
    for org in permissions.visible_organisations(user):
        links = []
        if permissions.can_list_programmes(user, org):
            links.append(("Programmes", reverse("development:programmes", kwargs={"slug": org.slug})))
        if permissions.can_see_development_aggregates(user, org):
            links += [("Learning and gaps", reverse("development:learning_overview", kwargs={"slug": org.slug})),
                      ("Leadership pathway", reverse("development:pathway", kwargs={"slug": org.slug})),
                      ("Mentor and coach pool", reverse("development:mentor_pool", kwargs={"slug": org.slug}))]
        if permissions.can_see_pathway_diversity(user, org):
            links.append(("Pathway diversity", reverse("development:pathway_diversity", kwargs={"slug": org.slug})))
        links.append(("Competency frameworks", reverse("development:frameworks", kwargs={"slug": org.slug})))
        organisations.append((org, links))
    context = {
        "person": person,
        "progress": selectors.progress_of(selectors.person_enrolments(person=person)) if person else [],
        "requests": selectors.feedback_requests(person=person).count() if person else 0,
        "is_leader": permissions.is_leader(user),
        "programmes_led": ProgrammeLead.objects.filter(person=person).select_related("programme") if person else [],
        "organisations": organisations,
        "breadcrumbs": crumbs(("Home", reverse("home"))),
    }
    return render(request, "development/home.html", context)


@login_required
def person(request, pk):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(permissions.can_view_development(request.user, person))
    user = request.user
    overview = selectors.person_overview(person=person)
    overview["mentoring"] = [a for a in overview["mentoring"] if permissions.can_view_agreement(user, a)]
    context = {
        "person": person,
        **overview,
        "plan": overview["plans"][0] if overview["plans"] else None,
        "can_record": permissions.can_record_for(user, person),
        "can_see_assessments": permissions.is_self(user, person)
        or permissions.can_manage_development(user, person.organisation),
        "can_plan": permissions.can_record_career_conversation(user, person),
        "can_suggest": permissions.can_see_mentor_suggestions(user, person),
        "is_self": permissions.is_self(user, person),
        "breadcrumbs": home_crumbs(),
    }
    return render(request, "development/person.html", context)


@login_required
def team(request):
    person = request.user.person if request.user.person_id else None
    rows = selectors.team_progress(leader=person, day=date.today()) if person else []
    return render(request, "development/team.html", {"rows": rows, "breadcrumbs": home_crumbs()})


@login_required
def feedback_requests(request):
    person = request.user.person if request.user.person_id else None
    invitations = selectors.feedback_requests(person=person) if person else []
    return render(request, "development/feedback_requests.html",
                  {"invitations": invitations, "to_approve": selectors.rater_lists_to_approve(user=request.user),
                   "breadcrumbs": home_crumbs()})


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(EvidenceFile.objects.select_related("person__organisation"), pk=pk)
    require(permissions.can_view_evidence(request.user, evidence))
    try:
        path = uploads.path_of(evidence.stored_name)
        handle = path.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
