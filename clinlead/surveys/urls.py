from django.urls import path

from clinlead.surveys import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("thank-you/", views.thanks, name="thanks"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("cycles/<int:pk>/start/", views.start, name="start"),
    path("cycles/<int:pk>/<str:action>/", views.cycle_action, name="cycle_action"),
    path("<slug:slug>/", views.cycles, name="cycles"),
]
