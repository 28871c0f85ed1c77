from django.urls import path

from clinlead.org import views, views_diversity, views_import

app_name = "org"
urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("people/<int:pk>/", views.person, name="person"),
    path("positions/<int:pk>/", views.position, name="position"),
    path("<slug:slug>/", views.organisation, name="organisation"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/positions/", views.positions, name="positions"),
    path("<slug:slug>/import/", views_import.import_hr, name="import_hr"),
    path("<slug:slug>/import/apply/", views_import.apply_hr_import, name="import_hr_apply"),
    path("<slug:slug>/import/example.csv", views_import.hr_example, name="hr_example"),
    path("<slug:slug>/import/<int:pk>/reverse/", views_import.reverse_hr_import, name="import_hr_reverse"),
    path("<slug:slug>/diversity/", views_diversity.diversity, name="diversity"),
]
