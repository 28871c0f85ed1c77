"""Operations: HR files are private and short-lived; behind the TLS proxy one client cannot lock
another person's login."""

import os
import stat
import time

import pytest
from django.test import RequestFactory
from django.urls import reverse

from clinlead.accounts.lockout import client_ip
from clinlead.org import hr_uploads
from clinlead.org.models import Organisation
from tests.org.hr_files import extract_rows, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_an_uploaded_hr_file_is_readable_by_clinlead_only_and_gone_after_apply(data_dir, client):
    from clinlead.accounts.models import Role, RoleGrant, User

    org = Organisation.objects.create(name="Test Trust", slug="test-trust")
    admin = User.objects.create(username="talent")
    RoleGrant.objects.create(user=admin, role=Role.TALENT_ADMIN, organisation=org)
    client.force_login(admin)
    content = to_csv(extract_rows(staff=30, organisation=org.slug))
    url = reverse("org:import_hr", kwargs={"slug": org.slug})
    client.post(url, {"file": _upload(content), "full_extract": "on", "effective": "2028-02-29"})
    (stored,) = list(hr_uploads.upload_dir().iterdir())
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(hr_uploads.upload_dir().stat().st_mode) == 0o700
    token = client.session["clinlead_hr_upload"]["token"]
    client.post(reverse("org:import_hr_apply", kwargs={"slug": org.slug}), {"token": token})
    assert not list(hr_uploads.upload_dir().iterdir())


def _upload(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("extract.csv", content, content_type="text/csv")


def test_an_upload_never_applied_is_deleted_after_24_hours(data_dir):
    from django.core.management import call_command

    old = hr_uploads.store_upload(b"staff", ".csv")
    new = hr_uploads.store_upload(b"staff", ".csv")
    day_ago = time.time() - 25 * 3600
    os.utime(hr_uploads.upload_path(old, ".csv"), (day_ago, day_ago))
    call_command("delete_stale_uploads")
    assert not hr_uploads.upload_path(old, ".csv").exists()
    assert hr_uploads.upload_path(new, ".csv").exists()


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    return RequestFactory().get("/", **meta)


def test_the_client_address_comes_from_a_trusted_proxy_only(settings):
    settings.CLINLEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # A client adding its own header in front of the proxy's cannot choose its address.
    assert client_ip(_request("10.0.0.5", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    # Not through the proxy: the header is ignored.
    assert client_ip(_request("192.0.2.7", "203.0.113.9")) == "192.0.2.7"
    settings.CLINLEAD_TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_behind_the_proxy_failures_from_one_client_do_not_lock_another(settings, client, demo):
    from clinlead.org import demo_data as D

    settings.CLINLEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    login = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(
            login,
            {"username": "bob", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    locked = client.post(
        login,
        {"username": "bob", "password": D.DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert locked.status_code == 429
    bob = client.post(
        login,
        {"username": "bob", "password": D.DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert bob.status_code == 302 and "_auth_user_id" in client.session
