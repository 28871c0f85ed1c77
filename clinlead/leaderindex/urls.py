from django.urls import path

from clinlead.leaderindex import views

app_name = "leaderindex"
urlpatterns = [
    path("my-report/", views.my_report, name="my_report"),
    path("cycles/<int:cycle>/leaders/<int:leader>/", views.report, name="report"),
    path("cycles/<int:cycle>/leaders/<int:leader>/report.pdf", views.report_pdf, name="report_pdf"),
    path("cycles/<int:pk>/", views.dashboard, name="dashboard"),
    path("cycles/<int:pk>/publish/", views.publish, name="publish"),
    path("cycles/<int:pk>/results.xlsx", views.export, name="export"),
    path("<slug:slug>/import/", views.import_cycles, name="import"),
]
