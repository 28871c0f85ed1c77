from django.urls import path

from clinlead.audit import views

app_name = "audit"
urlpatterns = [
    path("<slug:slug>/", views.log, name="log"),
    path("<slug:slug>/export.csv", views.export, name="export"),
]
