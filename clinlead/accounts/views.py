from datetime import date

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from clinlead.accounts import permissions
from clinlead.org import selectors


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
        "tasks": [
            {"org": org,
             "import_hr": permissions.can_import_hr(user, org),
             "audit": permissions.can_view_audit(user, org),
             "diversity": permissions.can_see_special_category(user, org),
             "aggregates": permissions.can_see_organisation_aggregates(user, org)}
            for org in organisations
        ],
    }
    return render(request, "accounts/home.html", context)
