"""Survey pages: cycles for talent admins, and the anonymous form behind a single-use link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinlead import notifications
from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, require
from clinlead.custody import CustodiansForm, KeyReturnForm, key_files_download
from clinlead.org.models import Person
from clinlead.service_errors import show_as_messages, show_on_form
from clinlead.surveys import selectors, services, services_reopen
from clinlead.surveys.forms import CycleForm, answer_form, asked_once, posted_answers
from clinlead.surveys.models import Invitation, SurveyCycle, parsed_instrument


def _cycle_crumbs(org):
    return crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()),
                  ("Leader survey", reverse("surveys:cycles", kwargs={"slug": org.slug})))


@login_required
def cycles(request, slug):
    org = organisation_for(request, slug, permissions.can_see_organisation_aggregates)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        require(permissions.can_manage_talent(request.user, org))
        if form.is_valid():
            try:
                cycle = services.create_cycle(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                show_on_form(form, exc)
            else:
                return redirect(cycle)
    return render(request, "surveys/cycles.html", {
        "org": org, "cycles": selectors.cycles_for(organisation=org), "form": form,
        "can_manage": permissions.can_manage_talent(request.user, org),
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url())),
    })


@login_required
def cycle(request, pk):
    cycle = get_object_or_404(SurveyCycle.objects.select_related("organisation", "instrument"), pk=pk)
    require(permissions.can_see_organisation_aggregates(request.user, cycle.organisation))
    return _cycle_page(request, cycle)


def _cycle_page(request, cycle, *, custodians_form=None, key_return_form=None, status=200):
    day, progress = selectors.progress(cycle=cycle)
    return render(request, "surveys/cycle.html", {
        "cycle": cycle, "progress": progress, "progress_day": day,
        "invited": cycle.invitations.count() if cycle.status != SurveyCycle.Status.DRAFT else None,
        "can_manage": permissions.can_manage_talent(request.user, cycle.organisation),
        "mail_failures": notifications.failures(about=cycle),
        "custodians_form": custodians_form or CustodiansForm(),
        "key_return_form": key_return_form or KeyReturnForm(),
        "days_early": services_reopen.days_early(cycle), "reopen_refusal": services_reopen.reopen_refusal(cycle),
        "breadcrumbs": _cycle_crumbs(cycle.organisation),
    }, status=status)


ACTIONS = {
    "remind": lambda user, cycle: services.send_reminders(actor=user, cycle=cycle),
    "abandon": lambda user, cycle: services.abandon_cycle(actor=user, cycle=cycle),
}
DONE = {"remind": "Reminders are on their way to everyone who has not answered yet.",
        "abandon": "The survey is closed without results; its sealed answers were deleted unread.",
        "close": "The survey is closed. The answers are stored without any link to the people who gave them; "
                 "the custodians may now destroy their key files."}


@sensitive_post_parameters("passphrase_1", "passphrase_2")
@login_required
@require_POST
def cycle_action(request, pk, action):
    cycle = get_object_or_404(SurveyCycle.objects.select_related("organisation", "instrument"), pk=pk)
    require(permissions.can_manage_talent(request.user, cycle.organisation)
            and (action in ACTIONS or action in ("open", "close")))
    if action == "open":
        return _open(request, cycle)
    if action == "close":
        return _close(request, cycle)
    try:
        ACTIONS[action](request.user, cycle)
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect(cycle)


def _open(request, cycle):
    """Opening answers with the custodians' key files, once: Clinlead keeps no copy."""
    form = CustodiansForm(request.POST)
    if form.is_valid():
        try:
            invited, keys = services.open_cycle(actor=request.user, cycle=cycle, passphrases=form.passphrases())
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"The survey is open and invitations are on their way to {invited} people. "
                                      "Keep the key file safe: it cannot be downloaded again.")
            return key_files_download(keys=keys, name=f"{cycle.organisation.slug} {cycle.name} leader survey")
    return _cycle_page(request, cycle, custodians_form=form, status=400)


def _close(request, cycle):
    form = KeyReturnForm(request.POST, request.FILES)
    early = services_reopen.early_close_refusal(cycle, request.POST.get("confirm_early", ""))
    if early:
        form.is_valid()
        form.add_error(None, early)  # nothing was changed: the cycle is still open
    elif form.is_valid():
        key_files, passphrases = form.key_material()
        try:
            services.close_cycle(actor=request.user, cycle=cycle, key_files=key_files, passphrases=passphrases)
        except ValidationError as exc:
            show_on_form(form, exc)  # nothing was changed: the cycle is still open
        else:
            messages.success(request, DONE["close"])
            return redirect(cycle)
    return _cycle_page(request, cycle, key_return_form=form, status=400)


@login_required
def start(request, pk):
    """A logged-in member of staff asks for their own link (the e-mail may be lost)."""
    person = request.user.person
    invitation = Invitation.objects.filter(cycle_id=pk, person=person, used=False,
                                           cycle__status=SurveyCycle.Status.OPEN).select_related("cycle").first()
    require(person is not None and invitation is not None)
    if request.method == "POST":
        return redirect("surveys:answer", token=services.issue_link(invitation=invitation))
    return render(request, "surveys/start.html", {"cycle": invitation.cycle})


@never_cache
def answer(request, token):
    """The survey form. No login: the single-use link is the key, and nothing kept links back."""
    try:
        invitation = services.find_invitation(token=token)
    except services.InvitationUnusable:
        return render(request, "surveys/link_unusable.html", status=410)
    instrument = parsed_instrument(invitation.cycle.instrument_id)
    unanswered = None
    if request.method == "POST":
        data = posted_answers(instrument, request.POST)
        if data is not None:
            unanswered = asked_once(instrument, data, request.POST)
        if data is not None and unanswered is None:
            leader = None if data["leader"] in (None, invitation.leader_id) else Person(pk=data["leader"])
            try:
                services.submit_response(
                    token=token, answers=[data[i] for i in instrument.item_ids],
                    burnout=data[instrument.burnout.id], satisfaction=data[instrument.satisfaction.id],
                    comment=data.get("comment", ""), leader=leader, invitation=invitation)
            except services.InvitationUnusable:
                return render(request, "surveys/link_unusable.html", status=410)
            except ValidationError as exc:
                errors = exc
            else:
                return redirect("surveys:thanks")
        else:
            errors = None
        # Show the form again, with its choices, and what was wrong (or what was left out).
        shown = answer_form(instrument, selectors.leader_choices(invitation=invitation), invitation.leader_id,
                            data=request.POST)
        shown.is_valid()
        if errors is not None:
            for field, messages_ in getattr(errors, "message_dict", {"__all__": errors.messages}).items():
                shown.add_error(field if field in shown.fields else None, messages_)
        form = shown
    else:
        form = answer_form(instrument, selectors.leader_choices(invitation=invitation), invitation.leader_id)
    items = _questions(form, instrument.items, instrument.scale, first=1)
    wellbeing = _questions(form, (instrument.burnout, instrument.satisfaction), None, first=len(items) + 1)
    return render(request, "surveys/answer.html", {
        "form": form, "cycle": invitation.cycle, "instrument": instrument, "unanswered": unanswered,
        "item_parts": _parts(items), "wellbeing": wellbeing, "total": len(items) + len(wellbeing),
        "parts": len(_parts(items)) + 1,
    })


# Questions a part, on a phone: a screen's worth with its answers in view.
QUESTIONS_A_PART = 4


def _parts(questions):
    return [questions[i:i + QUESTIONS_A_PART] for i in range(0, len(questions), QUESTIONS_A_PART)]


def _questions(form, questions, scale, *, first):
    """Plain data for the radio groups: rendering 70 radios through form widgets is slow.
    Numbered on from `first`, so the wellbeing questions follow the leader's."""
    out = []
    for number, q in enumerate(questions, start=first):
        chosen = form.data.get(q.id, "") if form.is_bound else ""
        points = scale if scale is not None else q.options
        out.append({"id": q.id, "number": number, "label": q.text,
                    "errors": form.errors.get(q.id, []),
                    "choices": [{"value": str(p.value), "label": p.label, "checked": str(p.value) == chosen} for p in points]})
    return out


def thanks(request):
    return render(request, "surveys/thanks.html")
