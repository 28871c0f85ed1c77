"""Setting up a new organisation: the first step of docs/setting-up.md."""

import unicodedata

from django.core.exceptions import ValidationError

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.models import Organisation


def create_organisation(*, actor, slug: str, name: str, kind: str = Organisation.Kind.TRUST,
                        label: str | None = None) -> Organisation:
    """An empty organisation, ready for its HR extract. Refused (ValidationError naming the
    field) if the short name or name is taken, malformed or holds control characters."""
    name = name.strip()
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError({"name": "The name holds a control character"})
    organisation = Organisation(slug=slug.strip(), name=name, kind=kind)
    organisation.full_clean()
    with actions.atomic():
        organisation.save()
        audit.record(actor=actor, action="org.organisation_created", obj=organisation, organisation=organisation,
                     label=label, after={"slug": organisation.slug, "name": organisation.name, "kind": organisation.kind})
    return organisation
