"""The audit log's pages. They live in accounts, above audit (which every app writes to),
because they apply the access rules; their names stay in the "audit" namespace."""

from django.urls import path

from clinlead.accounts import views_audit as views

app_name = "audit"
urlpatterns = [
    path("<slug:slug>/", views.log, name="log"),
    path("<slug:slug>/export.csv", views.export, name="export"),
]
