"""Development's part of the leader report: for the behaviours a leader's team rated lowest
against the organisation, the competencies of the framework they belong to, suggested actions,
and what the organisation offers for them.

The leader index sits below development, so it does not import this module: it gathers every
app's `leader_report.suggestions` through `clinlead.discovery.app_modules`, as the home page
gathers menus. The mapping of behaviours to the NHS Healthcare Leadership Model's dimensions is
data, in `leader_index_behaviours.json` beside this module, not in the frameworks folder, which
holds frameworks only (docs/development.md).
"""

import functools
import json
from pathlib import Path

from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.development.models import Dimension, Framework
from clinlead.development.models_people import Offer
from clinlead.development.models_programmes import Programme
from clinlead.development.selectors import mentor_suggestions

MAPPING_FILE = Path(__file__).with_name("leader_index_behaviours.json")


@functools.cache
def behaviour_map() -> dict:
    """{"framework": code, "behaviours": {behaviour: {"dimensions": [codes], "actions": [...]}}}."""
    return json.loads(MAPPING_FILE.read_text(encoding="utf-8"))


def _framework(code, organisation):
    """The latest loaded version of the framework: the organisation's own, else the national one."""
    versions = Framework.objects.filter(code=code, organisation__in=[organisation]) or \
        Framework.objects.filter(code=code, organisation=None)
    return versions.order_by("-loaded_at", "-pk").first()


def suggestions(*, user, leader, behaviours) -> list[dict]:
    """One entry per behaviour in `behaviours` (in that order) that the mapping knows:
    {"behaviour", "framework", "framework_href", "competencies": [names], "actions": [...]}."""
    mapping = behaviour_map()
    known = [b for b in behaviours if b in mapping["behaviours"]]
    if not known:
        return []
    framework = _framework(mapping["framework"], leader.organisation)
    names = {}
    if framework is not None:
        names = dict(Dimension.objects.filter(framework=framework).values_list("code", "name"))
    entries = []
    for behaviour in known:
        spec = mapping["behaviours"][behaviour]
        entries.append({
            "behaviour": behaviour,
            "framework": framework.name if framework else "",
            "framework_href": reverse("development:framework", kwargs={"pk": framework.pk}) if framework else None,
            "competencies": [names[c] for c in spec["dimensions"] if c in names],
            "actions": spec["actions"],
        })
    return entries


def offers(*, user, leader) -> list[dict]:
    """What the organisation offers, [{"title", "href" or None, "text"}]: its active programmes
    built on the framework the behaviours map to, and coaching from its pool (linked for whoever
    may see the leader's coach suggestions: the leader, or whoever arranges coaching)."""
    framework = _framework(behaviour_map()["framework"], leader.organisation)
    offers = []
    if framework is not None:
        programmes = Programme.objects.filter(organisation=leader.organisation, active=True,
                                              framework__code=framework.code).order_by("name")
        for programme in programmes:
            href = reverse("development:programme", kwargs={"pk": programme.pk}) \
                if permissions.can_lead_programme(user, programme) else None
            offers.append({"title": programme.name, "href": href,
                           "text": programme.summary or f"A development programme built on the {framework.name}."})
    if permissions.can_see_mentor_suggestions(user, leader):
        coaches = mentor_suggestions(mentee=leader, kind=Offer.COACHING, limit=None)
        if coaches:
            offers.append({"title": "Coaching", "href": reverse("development:mentor_suggestions",
                                                               kwargs={"pk": leader.pk}),
                           "text": f"{len(coaches)} coach{'es' if len(coaches) != 1 else ''} in the organisation's pool "
                                   "can take someone on now."})
    return offers
