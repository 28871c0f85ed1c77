from django.urls import path

from clinlead.selection import views, views_ballot, views_decision, views_governance

app_name = "selection"
urlpatterns = [
    path("at/<slug:slug>/", views.selections, name="list"),
    path("at/<slug:slug>/open/", views.open_vacancy, name="open_vacancy"),
    path("at/<slug:slug>/policy/", views.policy, name="policy"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/candidates/", views.candidates, name="candidates"),
    path("<int:pk>/candidates/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/candidates/put-yourself-forward/", views.self_nominate, name="self_nominate"),
    path("candidates/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/electorate/", views.electorate, name="electorate"),
    path("<int:pk>/interviews/", views.interviews, name="interviews"),
    path("interviews/<int:pk>/took-part/", views.took_part, name="took_part"),
    path("<int:pk>/ballot/", views.schedule_ballot, name="schedule_ballot"),
    path("<int:pk>/vote/", views_ballot.vote, name="vote"),
    path("<int:pk>/receipt/", views_ballot.receipt, name="receipt"),
    path("<int:pk>/close/", views_ballot.close, name="close"),
    path("<int:pk>/count/", views_ballot.count, name="count"),
    path("<int:pk>/results/", views_ballot.results, name="results"),
    path("<int:pk>/results/receipts/", views_ballot.receipts, name="receipts"),
    path("<int:pk>/results/ballots/", views_ballot.ballots, name="ballots"),
    path("<int:pk>/results/ballots.blt", views_ballot.blt, name="blt"),
    path("<int:pk>/results/recount.blt", views_ballot.recount_file, name="recount_file"),
    path("<int:pk>/committee/", views_decision.committee, name="committee"),
    path("<int:pk>/decision/", views_decision.decision, name="decision"),
    path("<int:pk>/appoint/", views_decision.appoint, name="appoint"),
    path("<int:pk>/appointment/", views_decision.appointment, name="appointment"),
    path("<int:pk>/manage/", views_governance.manage, name="manage"),
    path("candidates/<int:pk>/statement/", views_governance.statement, name="statement"),
]
