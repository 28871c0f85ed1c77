from datetime import date

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from clinlead.accounts import oidc, permissions
from clinlead.accounts.navigation import home_cards
from clinlead.org import selectors
from clinlead.todos import todos_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"oidc_enabled": settings.OIDC_ENABLED}


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        # Someone who came in through single sign-on leaves through the provider too; the
        # provider's address needs the ID token that logging out here throws away.
        provider = oidc.provider_logout_url(request) if oidc.signed_in_through_provider(request) else None
        response = super().post(request, *args, **kwargs)
        return redirect(provider) if provider else response


def sso_refused(request):
    """Where single sign-on sends someone it could not match to an active person."""
    email = request.session.pop(oidc.REFUSED_EMAIL, "")
    return render(request, "accounts/sso_refused.html", {"email": email}, status=403)


@login_required
def home(request):
    user = request.user
    today = date.today()
    person = user.person if user.person_id else None
    organisations = list(permissions.visible_organisations(user))
    context = {
        "person": person,
        "organisations": organisations,
        "profile": selectors.person_summary(person=person, day=today) if person else None,
        "is_leader": permissions.is_leader(user, today),
        "todos": [(todo, todo.urgency(today))
                  for todo in todos_for(user=user, organisations=organisations, today=today)],
        "cards": [card for org in organisations for card in home_cards(user, org)],
    }
    return render(request, "accounts/home.html", context)
