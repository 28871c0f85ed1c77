"""Changing course, each an audited action on one page for the selection's admin: move or extend
the ballot, reopen nominations, remind the electorate, cancel; and a candidate's statement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinlead import notifications
from clinlead.accounts import permissions
from clinlead.accounts.access import require
from clinlead.selection import forms, services
from clinlead.selection.models import Candidate, Selection
from clinlead.selection.views import selection_crumbs, selection_for
from clinlead.service_errors import show_as_messages

S = Selection.Stage
DONE = {"cancel": "The selection is cancelled; everyone taking part is told why.",
        "times": "The ballot's times are changed; the electorate is told.",
        "reopen": "Nominations are open again; the electorate will be taken afresh.",
        "remind": "The electors who have not voted are reminded."}


@login_required
def manage(request, pk):
    selection = selection_for(request, pk, permissions.can_manage_selection)
    action = request.POST.get("action", "")
    cancel = forms.CancelForm(request.POST if action == "cancel" else None)
    times = forms.BallotTimesForm.for_selection(selection, request.POST if action == "times" else None)
    if request.method == "POST":
        try:
            if action == "cancel" and cancel.is_valid():
                services.cancel_selection(actor=request.user, selection=selection, **cancel.cleaned_data)
            elif action == "times" and times.is_valid():
                services.change_ballot_times(actor=request.user, selection=selection, **times.cleaned_data)
            elif action == "reopen":
                services.reopen_nominations(actor=request.user, selection=selection)
            elif action == "remind":
                services.remind_before_close(actor=request.user, selection=selection)
            else:
                raise ValidationError("Check the form: something is missing.")
        except ValidationError as exc:
            show_as_messages(request, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("selection:manage", pk=selection.pk)
    context = {"selection": selection, "cancel": cancel, "times": times,
               "failures": notifications.failures(about=selection),
               "breadcrumbs": selection_crumbs(request, selection)}
    return render(request, "selection/manage.html", context)


@login_required
@require_POST
def statement(request, pk):
    candidate = get_object_or_404(Candidate.objects.select_related("selection", "person"), pk=pk)
    person = permissions.active_person(request.user)
    require(person is not None and person.pk == candidate.person_id)
    form = forms.StatementForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Your statement is too long: at most 4,000 characters.")
        services.update_statement(actor=request.user, candidate=candidate, statement=form.cleaned_data["statement"])
    except ValidationError as exc:
        show_as_messages(request, exc)
    else:
        messages.success(request, "Your statement is saved.")
    return redirect("selection:candidates", pk=candidate.selection_id)
