"""The ballot's key: made when the ballot is scheduled, handed out once as the custodians' key
files, and needed, every custodian's file with its passphrase, to close the ballot. A wrong
file or passphrase is refused with a clear message and changes nothing; without the key files
the ballot can never be opened, and nothing else is affected."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clinlead import sealing
from clinlead.audit.models import AuditEvent
from clinlead.selection import selectors, services
from clinlead.selection.models import Ballot, Receipt, SealedBallot, Selection, VoterRecord
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
FIRST, SECOND = "first custodian's phrase", "second custodian's phrase"


def url(name, selection):
    return reverse(f"selection:{name}", kwargs={"pk": selection.pk})


def schedule_form(**custody):
    now = timezone.localtime()
    return {"method": "scottish-stv", "shortlist_size": "2",
            "opens_at": (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), **custody}


def unchanged(selection):
    return (Selection.objects.get(pk=selection.pk).stage == Selection.Stage.BALLOT
            and SealedBallot.objects.filter(selection=selection).count() == VoterRecord.objects.filter(
                selection=selection).count() > 0
            and not Ballot.objects.filter(selection=selection).exists()
            and not Receipt.objects.filter(selection=selection).exists())


def test_scheduling_hands_out_the_key_file_once_and_keeps_only_the_public_key(demo, login):
    selection = f.interviewing()
    f.seat_committee(selection)
    f.attend_all(selection)
    page = login("tara").get(url("schedule_ballot", selection)).content.decode()
    assert 'name="passphrase_1"' in page and 'name="passphrase_2"' in page and "downloaded once" in page
    answer = login("tara").post(url("schedule_ballot", selection), schedule_form(passphrase_1=FIRST))
    assert answer["Content-Disposition"].startswith("attachment") and answer["Cache-Control"] == "no-store"
    key_file = json.loads(answer.content)
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.BALLOT and key_file["public_key"] == selection.ballot_public_key
    assert selection.custodians == [str(f.user("tara"))]
    stored = str(list(Selection.objects.filter(pk=selection.pk).values()))
    assert key_file["share"] not in stored and key_file["kdf"]["salt"] not in stored
    event = AuditEvent.objects.get(action="selection.ballot_scheduled", object_id=str(selection.pk))
    assert key_file["share"] not in json.dumps(event.after)


def test_once_scheduled_the_page_says_when_the_ballot_runs_and_that_the_key_files_are_gone(demo, login):
    selection = f.interviewing()
    f.seat_committee(selection)
    f.attend_all(selection)
    client = login("tara")
    client.post(url("schedule_ballot", selection), schedule_form(passphrase_1=FIRST))
    selection.refresh_from_db()
    public_key = selection.ballot_public_key
    page = client.get(url("schedule_ballot", selection)).content.decode()
    opens, closes = (timezone.localtime(t).strftime("%-d %B %Y at %H:%M")
                     for t in (selection.opens_at, selection.closes_at))
    assert f"The ballot is already scheduled: it opens on {opens} and closes on {closes}." in page
    assert "The key files were downloaded when it was scheduled and cannot be downloaded again." in page
    assert "(ballot)" not in page and 'name="passphrase_1"' not in page
    again = client.post(url("schedule_ballot", selection), schedule_form(passphrase_1=SECOND))
    assert "Content-Disposition" not in again
    selection.refresh_from_db()
    assert selection.ballot_public_key == public_key


def test_two_custodians_get_a_file_each_and_both_are_needed_to_close(demo, login):
    selection = f.interviewing()
    f.seat_committee(selection)
    f.attend_all(selection)
    client = login("tara")
    answer = client.post(url("schedule_ballot", selection), schedule_form(
        passphrase_1=FIRST, second_custodian="Sam Reed, staff scrutineer", passphrase_2=SECOND))
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        files = [archive.read(name) for name in sorted(archive.namelist())]
    selection.refresh_from_db()
    assert len(files) == 2 and selection.custodians == [str(f.user("tara")), "Sam Reed, staff scrutineer"]
    f.vote_all(selection)
    selection = f.time_passes(selection)
    with pytest.raises(ValidationError, match="every custodian"):
        services.close_ballot(actor=None, selection=selection, key_files=files[:1], passphrases=[FIRST])
    assert unchanged(selection)
    services.close_ballot(actor=None, selection=selection, key_files=files[::-1], passphrases=[SECOND, FIRST])
    assert Ballot.objects.filter(selection=selection).count() == len(f.electors(selection))


def test_a_wrong_passphrase_or_another_ballots_key_file_is_refused_and_changes_nothing(demo, login):
    selection = f.voting()
    f.vote_all(selection)
    selection = f.time_passes(selection)
    key_files, _ = f.custody(selection)
    client = login("tara")
    answer = client.post(url("close", selection), {
        "key_file_1": SimpleUploadedFile("key.json", key_files[0]), "passphrase_1": "not the passphrase at all"})
    assert answer.status_code == 200 and "The passphrase for key file 1 is wrong." in answer.content.decode()
    assert unchanged(selection)
    other = sealing.make_custody_keys(passphrases=[f.PASSPHRASE], label="another ballot")
    answer = client.post(url("close", selection), {
        "key_file_1": SimpleUploadedFile("key.json", other.key_files[0]), "passphrase_1": f.PASSPHRASE})
    assert "Key file 1 belongs to another survey or ballot." in answer.content.decode()
    assert unchanged(selection)
    with pytest.raises(ValidationError, match="key file and passphrase"):
        services.close_ballot(actor=None, selection=selection)
    assert unchanged(selection)


def test_the_talent_admin_closes_with_the_key_file_and_receipts_prove_inclusion_only(demo, login):
    selection = f.voting()
    codes = f.vote_all(selection, rankings=[f.ranking(selection), f.ranking(selection)[::-1]])
    selection = f.time_passes(selection)
    key_files, passphrases = f.custody(selection)
    client = login("tara")
    answer = client.post(url("close", selection), {
        "key_file_1": SimpleUploadedFile("key.json", key_files[0]), "passphrase_1": passphrases[0]})
    assert answer.status_code == 302
    selection = Selection.objects.get(pk=selection.pk)
    assert selection.stage == Selection.Stage.CLOSED and not SealedBallot.objects.filter(selection=selection).exists()
    assert all(selectors.receipt_is_counted(selection=selection, code=code) for code in codes)
    # Nothing maps a receipt to a ballot: the two tables share no column but the selection.
    receipts = set(Receipt.objects.filter(selection=selection).values_list("receipt_hash", flat=True))
    for row in Ballot.objects.filter(selection=selection).values():
        assert not {str(v) for v in row.values()} & receipts
    page = client.get(url("receipt", selection)).content.decode()
    assert "cannot show how anyone voted" in client.post(url("receipt", selection), {"code": codes[0]}).content.decode()
    assert "Check your receipt" in page


def test_the_receipt_shown_at_voting_says_it_proves_inclusion_not_content(demo, login):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    answer = login("bob").post(url("vote", selection), {f"c{pk}": str(n) for n, pk in enumerate(f.ranking(selection), 1)})
    page = answer.content.decode()
    assert "cannot show how you voted" in page and "scrambled form of it (a hash) on your ballot" not in page
