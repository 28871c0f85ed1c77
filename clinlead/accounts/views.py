from datetime import date

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from clinlead.accounts import permissions
from clinlead.accounts.navigation import home_cards
from clinlead.org import selectors
from clinlead.todos import todos_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


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
