"""The secret ballot's pages: vote, receipt, close, count, and the published results.

The receipt code is shown once, in the answer to the vote itself: it is not put in the session,
a cookie or a log, and the database holds it only inside the sealed ballot until the close, then
only its hash, apart from the ballots. Every page about the ballots refuses (403) until the
ballot has closed; the full ballots are shown only where the publication rule allows.
"""

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.custody import KeyReturnForm
from clinlead.selection import forms, selectors, services
from clinlead.selection.models import Selection
from clinlead.selection.views import selection_crumbs, selection_for
from clinlead.service_errors import show_as_messages, show_on_form


def _require_closed(selection):
    if not selection.ballot_is_closed:
        raise selectors.BallotNotClosed(selection)


@never_cache
@login_required
def vote(request, pk):
    selection = selection_for(request, pk, permissions.can_vote_in)
    person = selectors.person_from_user(request.user)
    problems = selectors.voting_problems(selection=selection, person=person, now=timezone.now())
    paper = [] if problems else selectors.ballot_paper(selection=selection)
    approval = selection.method == Selection.Method.APPROVAL
    form_class = forms.ApprovalBallotForm if approval else forms.RankedBallotForm
    form = form_class(request.POST if request.method == "POST" and not problems else None, paper=paper)
    if request.method == "POST" and not problems and form.is_valid():
        try:
            code = services.cast_ballot(actor=request.user, selection=selection, person=person,
                                        preferences=form.cleaned_data["preferences"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            digest = selectors.receipt_hash(selection_id=selection.pk, code=code)
            return render(request, "selection/receipt_once.html", {
                "selection": selection, "code": code, "fingerprint": selectors.fingerprint(digest),
                "breadcrumbs": selection_crumbs(request, selection)})
    context = {"selection": selection, "form": form, "problems": problems, "approval": approval,
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/vote.html", context)


@never_cache
@login_required
def receipt(request, pk):
    """Check a receipt code against the published list (after the close)."""
    selection = selection_for(request, pk, permissions.can_see_selection_results)
    form = forms.ReceiptCheckForm(request.POST or None)
    counted = None
    if request.method == "POST":
        _require_closed(selection)
        if form.is_valid():
            counted = selectors.receipt_is_counted(selection=selection, code=form.cleaned_data["code"])
    person = selectors.person_from_user(request.user)
    context = {"selection": selection, "form": form, "counted": counted,
               "voted": person is not None and selectors.has_voted(selection=selection, person=person),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/receipt.html", context)


@never_cache
@login_required
def close(request, pk):
    """The custodians hand back their key files and passphrases; the ballot closes."""
    selection = selection_for(request, pk, permissions.can_manage_selection)
    form = KeyReturnForm(request.POST or None, request.FILES or None)
    sealed = bool(selection.ballot_public_key)  # not so for a ballot opened before sealing
    if request.method == "POST" and (form.is_valid() or not sealed):
        key_files, passphrases = form.key_material() if sealed else ([], [])
        try:
            services.close_ballot(actor=request.user, selection=selection, key_files=key_files,
                                  passphrases=passphrases)
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, "The ballot is closed: the sealed ballots were opened and written apart "
                                      "from the voters, and the receipts are published.")
            return redirect(selection)
    context = {"selection": selection, "form": form, "open": selection.stage == Selection.Stage.BALLOT,
               "sealed": sealed,
               "turnout": selectors.turnout(selection=selection),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/close.html", context)


@login_required
@require_POST
def count(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    _require_closed(selection)
    try:
        services.count_ballots(actor=request.user, selection=selection)
    except ValidationError as exc:
        show_as_messages(request, exc)
        return redirect(selection)
    messages.success(request, "The ballots are counted and the shortlist is published.")
    return redirect("selection:results", pk=selection.pk)


def _stages(report):
    """The count's stages ready for the page: excluded candidates leave later tables."""
    whole = report["method"] == "approval"
    shown, gone = [], set()
    for stage in report["stages"]:
        rows = []
        for name, votes in stage["votes"].items():
            if name in gone:
                continue
            change = stage["transfers"].get(name)
            rows.append({"name": name, "votes": _number(votes, whole),
                         "change": _number(change, whole, signed=True) if change and float(change) else "",
                         "outcome": "Elected" if name in stage["elected"] else
                         "Excluded" if name in stage["excluded"] else ""})
        non_transferable = {key: _number(value, whole) for key, value in (stage.get("non_transferable") or {}).items()}
        shown.append({**stage, "rows": rows, "transfer_value": _number(stage.get("transfer_value"), False),
                      "non_transferable": non_transferable, "action": _numbers_in(stage.get("action"), whole),
                      "reason": _numbers_in(stage.get("reason"), whole)})
        gone.update(stage["excluded"])
    return shown


def _number(text, whole, signed=False):
    """A vote value as people read it: whole numbers without decimals ("51", not "51.00000"),
    fractions of transferred votes to two places at most ("12.33"); the exact figures stay in the
    BLT file and the recount."""
    if text is None or text == "":
        return ""
    value = Decimal(str(text))
    value = value.to_integral_value(ROUND_DOWN) if whole else value.quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    shown = f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))
    return f"+{shown}" if signed and value >= 0 else shown


# The count's own words give vote values to five places ("reached the quota of 4.00000").
EXACT_VOTES = re.compile(r"-?\d+\.\d{5}\b")


def _numbers_in(text, whole):
    return EXACT_VOTES.sub(lambda match: _number(match.group(), whole), text) if text else text


def _readable_report(report):
    """The count's headline figure (the quota) as `_number` shows it."""
    if not report:
        return report
    return {**report, "quota": _number(report.get("quota"), report["method"] == "approval")}


@login_required
def results(request, pk):
    selection = selection_for(request, pk, permissions.can_see_selection_results)
    report = selectors.count_report(selection=selection)
    context = {
        "selection": selection, "report": _readable_report(report), "stages": _stages(report) if report else [],
        "shortlist": selectors.shortlist(selection=selection) if selection.is_counted else [],
        "manager": permissions.can_manage_selection(request.user, selection),
        "ballot_count": selectors.ballots_cast(selection=selection),
        "full_ballots": selectors.full_ballots_published(selection=selection),
        "scrutineer": permissions.can_decide(request.user, selection),
        "breadcrumbs": selection_crumbs(request, selection),
    }
    return render(request, "selection/results.html", context)


@login_required
def receipts(request, pk):
    selection = selection_for(request, pk, permissions.can_see_selection_results)
    context = {"selection": selection, "fingerprints": selectors.receipt_fingerprints(selection=selection),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/receipts.html", context)


@never_cache
@login_required
def ballots(request, pk):
    selection = selection_for(request, pk, permissions.can_see_selection_results)
    published = selectors.full_ballots_published(selection=selection)
    context = {"selection": selection, "published": published,
               "ballots": selectors.published_ballots(selection=selection) if published else [],
               "ballot_count": selectors.ballots_cast(selection=selection),
               "needed": selectors.ballots_needed_to_publish(selection=selection),
               "approval": selection.method == Selection.Method.APPROVAL,
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/ballots.html", context)


@never_cache
@login_required
def blt(request, pk):
    selection = selection_for(request, pk, permissions.can_see_selection_results)
    response = HttpResponse(selectors.ballots_blt(selection=selection), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="selection-{selection.pk}.blt"'
    return response


@never_cache
@login_required
def recount_file(request, pk):
    """The scrutineers' recount file (every ballot, BLT), whatever the publication rule says: the
    talent admins and the decision committee only, and each download is in the audit trail."""
    selection = selection_for(request, pk, permissions.can_decide)
    content = services.hand_out_recount_file(actor=request.user, selection=selection)
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="selection-{selection.pk}-recount.blt"'
    return response
