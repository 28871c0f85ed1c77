"""Reopening a closed survey until its results are published (clinlead.surveys.services_reopen)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions
from clinlead.accounts.access import require
from clinlead.custody import CustodiansForm, key_files_download
from clinlead.service_errors import show_on_form
from clinlead.surveys import services_reopen
from clinlead.surveys.models import SurveyCycle
from clinlead.surveys.views import _cycle_page


@sensitive_post_parameters("passphrase_1", "passphrase_2")
@login_required
@require_POST
def reopen(request, pk):
    cycle = get_object_or_404(SurveyCycle.objects.select_related("organisation", "instrument"), pk=pk)
    require(permissions.can_manage_talent(request.user, cycle.organisation))
    refused = services_reopen.reopen_refusal(cycle)
    if refused:
        messages.error(request, f"The survey cannot be reopened. {refused}")
        return redirect(cycle)
    form = CustodiansForm(request.POST)
    if form.is_valid():
        try:
            waiting, keys = services_reopen.reopen_cycle(actor=request.user, cycle=cycle,
                                                         passphrases=form.passphrases())
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, f"The survey is open again. New links are on their way to the {waiting} "
                                      "people who have not answered. Keep the new key file safe: it cannot be "
                                      "downloaded again, and it is needed to close the survey.")
            return key_files_download(keys=keys, name=f"{cycle.organisation.slug} {cycle.name} leader survey reopened")
    return _cycle_page(request, cycle, custodians_form=form, status=400)
