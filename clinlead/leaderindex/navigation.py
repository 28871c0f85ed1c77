from django.urls import reverse

from clinlead.leaderindex.models import LeaderResult


def home_cards(user, organisation):
    if not user.person_id or user.person.organisation_id != organisation.pk:
        return []
    if not LeaderResult.objects.filter(leader_id=user.person_id).exists():
        return []
    return [("Your leader index report", reverse("leaderindex:my_report"),
             "What your team said about your leadership, from groups large enough to stay anonymous.")]
