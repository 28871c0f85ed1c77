from django.conf import settings
from django.urls import include, path

from clinlead import health
from clinlead.accounts import views as account_views
from clinlead.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", health.alive, name="health"),
    path("health/ready/", health.ready, name="health-ready"),
    path("accounts/", include("clinlead.accounts.urls")),
    path("org/", include("clinlead.accounts.urls_org")),
    path("audit/", include("clinlead.accounts.urls_audit")),
    path("survey/", include("clinlead.surveys.urls")),
    path("leader-index/", include("clinlead.leaderindex.urls")),
    path("succession/", include("clinlead.succession.urls")),
    path("selection/", include("clinlead.selection.urls")),
    path("development/", include("clinlead.development.urls")),
    path("evaluation/", include("clinlead.evaluation.urls")),
    path("api/", api.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
