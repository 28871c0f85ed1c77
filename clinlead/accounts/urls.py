from django.urls import path

from clinlead.accounts import views, views_api_tokens, views_roles

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sso-refused/", views.sso_refused, name="sso_refused"),
    path("<slug:slug>/roles/", views_roles.roles_page, name="roles"),
    path("<slug:slug>/roles/grant/", views_roles.grant, name="role_grant"),
    path("<slug:slug>/roles/<str:pk>/revoke/", views_roles.revoke, name="role_revoke"),
    path("<slug:slug>/roles/programme-lead/", views_roles.grant_programme_lead, name="programme_lead_grant"),
    path("<slug:slug>/roles/programme-leads/<str:pk>/remove/", views_roles.revoke_programme_lead,
         name="programme_lead_revoke"),
    path("<slug:slug>/api-tokens/", views_api_tokens.api_tokens_page, name="api_tokens"),
    path("<slug:slug>/api-tokens/<int:pk>/revoke/", views_api_tokens.revoke, name="api_token_revoke"),
]
