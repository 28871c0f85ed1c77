from django.urls import path

from clinlead.succession import views, views_monitor, views_search, views_terms

app_name = "succession"
urlpatterns = [
    path("", views_monitor.monitor_overview, name="monitor_overview"),
    path("mine/", views.my_successors, name="my_successors"),
    path("positions/<int:pk>/pool/", views.pool, name="pool"),
    path("positions/<int:pk>/pool/create/", views.create_pool, name="create_pool"),
    path("positions/<int:pk>/pool/nominate/", views.nominate, name="nominate"),
    path("positions/<int:pk>/appoint/", views_terms.appoint, name="appoint"),
    path("positions/<int:pk>/start-selection/", views_terms.start_selection, name="start_selection"),
    path("candidates/<int:pk>/", views.edit_candidate, name="edit_candidate"),
    path("candidates/<int:pk>/remove/", views.remove_candidate, name="remove_candidate"),
    path("people/<int:pk>/", views.candidate_card, name="candidate_card"),
    path("appointments/<int:pk>/departure/", views.departure_plan, name="departure_plan"),
    path("appointments/<int:pk>/reappoint/", views_terms.reappoint, name="reappoint"),
    path("<slug:slug>/", views_monitor.monitor, name="monitor"),
    path("<slug:slug>/risk/", views_monitor.risk_list, name="risk_list"),
    path("<slug:slug>/pools/", views_monitor.pools, name="pools"),
    path("<slug:slug>/terms/", views_terms.terms_ending, name="terms"),
    path("<slug:slug>/diversity/", views_monitor.diversity, name="diversity"),
    path("<slug:slug>/settings/", views_monitor.monitor_settings, name="settings"),
    path("<slug:slug>/chart/", views_monitor.chart, name="chart"),
    path("<slug:slug>/chart.pdf", views_monitor.chart_pdf, name="chart_pdf"),
    path("<slug:slug>/scorecards.xlsx", views_monitor.scorecards_xlsx, name="scorecards_xlsx"),
    path("<slug:slug>/dyads/", views_monitor.dyads, name="dyads"),
    path("<slug:slug>/search/", views_search.talent_search_page, name="search"),
    path("<slug:slug>/nine-box/", views_search.nine_box_page, name="nine_box"),
]
