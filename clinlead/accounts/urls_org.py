"""The organisation's pages (chart, HR import, workforce diversity). They live in accounts,
above org, because every page applies the access rules, which read the organisation chart;
their names stay in the "org" namespace."""

from django.urls import path

from clinlead.accounts import views_diversity, views_hr_import
from clinlead.accounts import views_org as views

app_name = "org"
urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("people/<int:pk>/", views.person, name="person"),
    path("positions/<int:pk>/", views.position, name="position"),
    path("<slug:slug>/", views.organisation, name="organisation"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/positions/", views.positions, name="positions"),
    path("<slug:slug>/positions.xlsx", views.positions_xlsx, name="positions_xlsx"),
    path("<slug:slug>/import/", views_hr_import.import_hr, name="import_hr"),
    path("<slug:slug>/import/apply/", views_hr_import.apply_hr_import, name="import_hr_apply"),
    path("<slug:slug>/import/example.csv", views_hr_import.hr_example, name="hr_example"),
    path("<slug:slug>/import/<int:pk>/reverse/", views_hr_import.reverse_hr_import, name="import_hr_reverse"),
    path("<slug:slug>/diversity/", views_diversity.diversity, name="diversity"),
]
