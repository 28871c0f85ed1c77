"""The Roles page: an organisation's admins (and superusers) grant and revoke its roles."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinlead.accounts import permissions, roles
from clinlead.accounts.access import crumbs, organisation_for, page_of, person_in
from clinlead.accounts.models import Role, RoleGrant
from clinlead.org import selectors
from clinlead.validation import parse_id


class GrantForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Choose a person to give the role to"})
    role = forms.ChoiceField(label="Role", choices=Role.choices,
                             error_messages={"required": "Choose a role", "invalid_choice": "Choose a role from the list"})


def _roles_url(org):
    return reverse("accounts:roles", kwargs={"slug": org.slug})


def _crumbs(org):
    return crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()))


def _page(request, org, *, form=None):
    query = request.GET.get("q", "").strip()[:100]
    results = page_of(request, selectors.search_people(organisation=org, query=query), per_page=20) if query else None
    held = roles.roles_of(people=list(results), organisation=org) if results is not None else {}
    rows = [(person, held.get(person.pk, [])) for person in results] if results is not None else None
    return render(request, "accounts/roles.html", {
        "org": org, "query": query, "results": results, "rows": rows, "form": form or GrantForm(),
        "grants": roles.grants_by_role(organisation=org), "role_choices": Role.choices,
        "programme_leads": roles.programme_leads(organisation=org), "programmes": roles.programmes(organisation=org),
        "breadcrumbs": _crumbs(org),
    })


@login_required
def roles_page(request, slug):
    org = organisation_for(request, slug, permissions.can_manage_roles)
    return _page(request, org)


def _giving(request, slug, form_class, give):
    """The shape both grants share: the person posted must work here; `give(org, person, data)`
    does it and returns the message, or raises RoleError to show the page again with the reason."""
    org = organisation_for(request, slug, permissions.can_manage_roles)
    form = form_class(request.POST)
    if form.is_valid():
        person = person_in(org, form.cleaned_data["person"])
        try:
            done = give(org, person, form.cleaned_data)
        except roles.RoleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(_roles_url(org))
    return _page(request, org, form=form)


@login_required
@require_POST
def grant(request, slug):
    def give(org, person, data):
        new = roles.grant_role(actor=request.user, organisation=org, role=data["role"], person=person)
        return f"{person.full_name} is now {new.get_role_display()} at {org.name}."

    return _giving(request, slug, GrantForm, give)


@login_required
def revoke(request, slug, pk):
    org = organisation_for(request, slug, permissions.can_manage_roles)
    grant = get_object_or_404(RoleGrant.objects.select_related("user__person"), pk=parse_id(pk) or 0, organisation=org)
    error = None
    if request.method == "POST":
        try:
            roles.revoke_role(actor=request.user, grant=grant)
        except roles.RoleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{grant.user} is no longer {grant.get_role_display()} at {org.name}.")
            return redirect(_roles_url(org))
    return render(request, "accounts/role_revoke.html", {
        "org": org, "error": error, "title": f"Revoke {grant.get_role_display()} from {grant.user}?",
        "what": f"{grant.user} loses what the {grant.get_role_display()} role opens at {org.name}",
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()), ("Roles", _roles_url(org))),
    })


class ProgrammeLeadForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Choose a person"})
    programme = forms.CharField(error_messages={"required": "Choose a programme"})


@login_required
@require_POST
def grant_programme_lead(request, slug):
    def give(org, person, data):
        programme = get_object_or_404(roles.programmes(organisation=org), pk=parse_id(data["programme"]) or 0)
        roles.grant_programme_lead(actor=request.user, programme=programme, person=person)
        return f"{person.full_name} now leads {programme.name}."

    return _giving(request, slug, ProgrammeLeadForm, give)


@login_required
def revoke_programme_lead(request, slug, pk):
    org = organisation_for(request, slug, permissions.can_manage_roles)
    lead = get_object_or_404(roles.programme_leads(organisation=org), pk=parse_id(pk) or 0)
    if request.method == "POST":
        try:
            roles.revoke_programme_lead(actor=request.user, lead=lead)
        except roles.RoleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{lead.person.full_name} no longer leads {lead.programme.name}.")
        return redirect(_roles_url(org))
    return render(request, "accounts/role_revoke.html", {
        "org": org, "title": f"Remove {lead.person.full_name} as a lead of {lead.programme.name}?",
        "what": f"{lead.person.full_name} loses what leading {lead.programme.name} opens",
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()), ("Roles", _roles_url(org))),
    })
