"""The API tokens page (docs/api.md): an organisation's admins (and superusers) create and revoke
its API tokens. A new token is shown once, on the page the creation answers with (not through a
redirect: it must not wait in the session or a message)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import api_tokens, permissions
from clinlead.accounts.access import crumbs, organisation_for
from clinlead.accounts.models import ApiToken
from clinlead.service_errors import show_on_form


class TokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="What uses it, e.g. Power BI leader index",
                           error_messages={"required": "Give the token a name that says what uses it"})
    scopes = forms.MultipleChoiceField(label="What it may read", widget=forms.CheckboxSelectMultiple,
                                       choices=[(s, f"{s}: {what}") for s, what in api_tokens.SCOPES.items()],
                                       error_messages={"required": "Choose at least one scope"})


@login_required
def api_tokens_page(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_roles)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = api_tokens.create_api_token(actor=request.user, organisation=org,
                                                    name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"])
        except ValidationError as exc:
            show_on_form(form, exc)
        else:
            form = TokenForm()
    response = render(request, "accounts/api_tokens.html", {
        "org": org, "form": form, "secret": secret,
        "tokens": ApiToken.objects.filter(organisation=org).order_by("revoked", "name"),
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url())),
    })
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request, slug, pk):
    org = organisation_for(request, slug, permissions.can_manage_roles)
    token = get_object_or_404(ApiToken, pk=pk, organisation=org)
    if not token.revoked:
        api_tokens.revoke_api_token(actor=request.user, token=token)
    messages.success(request, f"The API token {token.name!r} is revoked.")
    return redirect("accounts:api_tokens", slug=org.slug)
