from django.urls import path

from clinlead.surveys import views, views_reopen

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("thank-you/", views.thanks, name="thanks"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("cycles/<int:pk>/start/", views.start, name="start"),
    # Before the generic actions, which would otherwise take "reopen" as an action's name.
    path("cycles/<int:pk>/reopen/", views_reopen.reopen, name="reopen"),
    path("cycles/<int:pk>/<str:action>/", views.cycle_action, name="cycle_action"),
    path("<slug:slug>/", views.cycles, name="cycles"),
]
