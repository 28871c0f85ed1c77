"""Local logins, lockout, single sign-on and the production settings."""

import importlib
import os
import secrets
import subprocess

import pytest
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.accounts.oidc import PersonOIDCBackend, person_for_claims
from clinlead.audit.models import AuditEvent
from clinlead.org import demo_data as D
from clinlead.org.models import Person

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_first():
    settings_module = importlib.import_module("clinlead.settings")
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_demo_persona_logs_in_with_the_demo_password(demo, client):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": D.DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Hello, Alice" in home.content.decode()


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(demo, client):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "bob", "password": "wrong-password"})
    response = client.post(
        reverse("accounts:login"), {"username": "bob", "password": D.DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_single_sign_on_maps_the_identity_to_the_person_by_work_email(demo):
    bob = Person.objects.get(user__username="bob")
    assert person_for_claims({"email": bob.work_email.upper()}) == bob
    assert person_for_claims({"email": "stranger@example.org"}) is None
    assert person_for_claims({"email": bob.work_email, "email_verified": False}) is None


def test_single_sign_on_refuses_an_address_shared_by_two_active_people(demo):
    a, b = Person.objects.filter(organisation__slug="northgate", user__isnull=True)[:2]
    Person.objects.filter(pk__in=[a.pk, b.pk]).update(work_email="shared@northgate.nhs.example")
    assert person_for_claims({"email": "shared@northgate.nhs.example"}) is None


def test_a_first_sso_login_creates_a_login_linked_to_the_person_and_audits_it(demo):
    person = Person.objects.filter(organisation__slug="st-aidans", user__isnull=True).first()
    backend = PersonOIDCBackend.__new__(PersonOIDCBackend)  # no provider settings needed here
    backend.UserModel = User
    user = backend.create_user({"email": person.work_email})
    assert user.person == person and not user.has_usable_password()
    assert AuditEvent.objects.filter(
        action="accounts.sso_login_created", object_id=str(person.pk)
    ).exists()
    assert list(backend.filter_users_by_claims({"email": person.work_email})) == [user]


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="clinlead.settings_production",
        CLINLEAD_SECRET_KEY=secrets.token_urlsafe(64),
        CLINLEAD_ALLOWED_HOSTS="clinlead.example-trust.nhs.uk",
        CLINLEAD_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CLINLEAD_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process only
    done = subprocess.run(
        ["clinlead", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="clinlead.settings_production",
        CLINLEAD_ALLOWED_HOSTS="x.example",
        CLINLEAD_DATA_DIR=str(tmp_path),
    )
    env.pop("CLINLEAD_SECRET_KEY", None)
    done = subprocess.run(["clinlead", "check"], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "CLINLEAD_SECRET_KEY" in done.stderr


@pytest.mark.parametrize(
    ("missing", "says"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        (
            {"CLINLEAD_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "CLINLEAD_EMAIL_BACKEND",
        ),
        (
            {"CLINLEAD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
            "CLINLEAD_EMAIL_BACKEND",
        ),
        ({"CLINLEAD_EMAIL_BACKEND": "clinlead.mailfiles.EmailBackend"}, "CLINLEAD_EMAIL_BACKEND"),
        ({"CLINLEAD_EMAIL_BACKEND": None}, "CLINLEAD_EMAIL_BACKEND"),
    ],
)
def test_production_settings_refuse_to_start_without_a_database_or_a_real_mail_backend(
    tmp_path, missing, says
):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="clinlead.settings_production",
        CLINLEAD_ALLOWED_HOSTS="x.example",
        CLINLEAD_DATA_DIR=str(tmp_path),
        CLINLEAD_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CLINLEAD_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    for name, value in missing.items():
        env.pop(name) if value is None else env.update({name: value})
    done = subprocess.run(["clinlead", "check"], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert says in done.stderr
