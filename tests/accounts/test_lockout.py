"""Lockout (issue 13) and login records (issue 12): guessing is slowed more with every failure,
nobody can lock another person out of their own computer, and nothing kept dates a login."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessLog
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
HOSPITAL = "192.0.2.10"  # one address for a whole hospital network, as many trusts have
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def nadia():
    return UserFactory(username="nadia")


def attempt(client, password, address=HOSPITAL, username="nadia"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    ).status_code


def time_passes(delta):
    """Move every stored failure back in time, as if `delta` had passed since."""
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - delta)
    for row in AccessAttemptExpiration.objects.all():
        AccessAttemptExpiration.objects.filter(pk=row.pk).update(expires_at=row.expires_at - delta)


def test_guessing_from_another_address_does_not_lock_the_person_out(nadia, settings):
    guesser = Client()
    for _ in range(3 * settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "guess", address=ELSEWHERE)
    assert attempt(guesser, PASSWORD, address=ELSEWHERE) == 429
    assert attempt(Client(), PASSWORD, address=HOSPITAL) == 302


def test_guessing_on_the_same_network_does_not_lock_out_a_computer_nadia_has_used(nadia, settings):
    """Behind one hospital address, a colleague who types Nadia's name twenty times locks only
    their own attempts: Nadia's computer, where she has logged in before, still lets her in."""
    her_computer = Client()
    assert attempt(her_computer, PASSWORD) == 302
    her_computer.post(reverse("accounts:logout"))
    colleague = Client()
    for _ in range(4 * settings.AXES_FAILURE_LIMIT):
        attempt(colleague, "guess")
    assert attempt(colleague, PASSWORD) == 429
    assert attempt(her_computer, PASSWORD) == 302


def test_guessing_from_one_address_is_slowed_more_with_every_failure(nadia, settings):
    assert settings.AXES_FAILURE_LIMIT == 5  # and the base cool-off is 30 minutes
    guesser = Client()
    for _ in range(4):
        assert attempt(guesser, "guess") == 200
    assert attempt(guesser, "guess") == 429, "the fifth failure locks"
    for _ in range(3):
        assert attempt(guesser, "guess") == 429
    # 8 failures: 30 minutes doubled three times is 4 hours. After the base 30 minutes it is
    # still locked, and a try while locked is one failure more: 8 hours from then.
    time_passes(timedelta(minutes=31))
    assert attempt(guesser, PASSWORD) == 429
    time_passes(timedelta(hours=7, minutes=59))
    assert attempt(guesser, PASSWORD) == 429
    time_passes(timedelta(hours=16, minutes=1))
    assert attempt(guesser, PASSWORD) == 302, "10 failures: 16 hours"


def test_the_cool_off_never_grows_beyond_a_day(nadia, settings):
    guesser = Client()
    for _ in range(40):
        attempt(guesser, "guess")
    time_passes(timedelta(hours=23))
    assert attempt(guesser, PASSWORD) == 429
    time_passes(timedelta(hours=24, minutes=1))
    assert attempt(guesser, PASSWORD) == 302


def test_login_records_keep_nothing_that_dates_a_login_or_names_a_device(nadia):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Ward 7 PC; Windows NT 10.0)")
    attempt(browser, "typo")
    failed = AccessAttempt.objects.get(username="nadia")
    assert (
        failed.user_agent,
        failed.get_data,
        failed.post_data,
        failed.path_info,
        failed.http_accept,
    ) == ("", "", "", "", "")
    assert attempt(browser, PASSWORD) == 302
    nadia.refresh_from_db()
    assert nadia.last_login is None, "no login time on the login"
    assert not AccessLog.objects.exists(), "no record of each successful login"
    assert not AccessAttempt.objects.exists(), "the failure is forgotten once she is in"
    session = Session.objects.get()
    assert (
        session.expire_date.minute,
        session.expire_date.second,
        session.expire_date.microsecond,
    ) == (0, 0, 0)
    assert "nadia" not in browser.cookies["clinlead_device"].value, "the device cookie names nobody"
