from django.urls import path

from clinlead.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("org/<slug:slug>/", views.evaluation_list, name="list"),
    path("org/<slug:slug>/new/", views.evaluation_create, name="create"),
    path("org/<slug:slug>/metrics/", views.metric_catalogue, name="metrics"),
    path("org/<slug:slug>/plan/", views.plan, name="plan"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/set-up/", views.evaluation_edit, name="edit"),
    path("<int:pk>/import/", views.evaluation_import, name="import"),
    path("<int:pk>/import/template.xlsx", views.evaluation_import_template, name="import_template"),
    path("<int:pk>/refresh/", views.evaluation_refresh, name="refresh"),
    path("<int:pk>/primary-outcome/", views.primary_outcome, name="primary"),
    path("<int:pk>/report.pdf", views.evaluation_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.evaluation_xlsx, name="xlsx"),
]
