"""Actions compose: an action called on its own owns a durable transaction; one called by another
action joins the outer one, so both commit together or neither does."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def inner(name):
    with actions.atomic():
        audit.record(actor=None, action=f"test.{name}")


def outer(*, fail_after_inner=False):
    with actions.atomic():
        audit.record(actor=None, action="test.outer")
        inner("inner")
        if fail_after_inner:
            raise ValidationError("the outer action changed its mind")


def test_an_action_on_its_own_commits_when_it_returns():
    inner("alone")
    assert AuditEvent.objects.filter(action="test.alone").exists()


def test_an_inner_action_joins_the_outer_one_and_is_undone_with_it():
    outer()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.outer", "test.inner"}
    AuditEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        outer(fail_after_inner=True)
    assert not AuditEvent.objects.exists()


def test_an_action_is_still_refused_inside_a_transaction_that_is_not_an_actions():
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        inner("inside a view's own transaction")

