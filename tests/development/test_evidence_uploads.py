"""Evidence uploads: PDF, PNG, JPEG or Word files up to 10 MB, checked by extension and by
content; a refused upload stores nothing (no file, no row) and says why in NHS.UK error markup;
stored files are served only through a permission-checked view."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinlead.development.demo import demo_pdf
from clinlead.development.models import EvidenceFile, MilestoneRecord
from clinlead.development.uploads import MAX_BYTES

pytestmark = pytest.mark.django_db


def files_under(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def docx_bytes(*, with_document=True):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def bobs_milestone(dev):
    return (MilestoneRecord.objects.filter(enrolment__person_id=dev.personas["bob"], done=False,
                                           milestone__completion="evidence")
            .select_related("milestone").order_by("milestone__order").first())


def upload(client, record, name, content):
    url = reverse("development:upload_evidence", kwargs={"pk": record.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


REFUSED = [
    ("too-big.pdf", b"%PDF-1.4\n" + b"0" * MAX_BYTES, "The file must be smaller than 10 MB"),
    ("notes.txt", b"plain text", "The file must be a PDF, PNG, JPEG or Word (.docx) file"),
    ("virus.exe", b"MZ\x90\x00", "The file must be a PDF, PNG, JPEG or Word (.docx) file"),
    ("disguised.pdf", b"MZ\x90\x00 not a pdf at all", "The file is not a real PDF file"),
    ("photo.png", b"\xff\xd8\xff\xe0 a jpeg named png", "The file is not a real PNG file"),
    ("letter.docx", docx_bytes(with_document=False), "The file is not a real Word (.docx) file"),
    ("empty.pdf", b"", "The file is empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_upload_is_refused_with_a_clear_message_and_stores_nothing(
        name, content, message, bobs_milestone, login, media_root):
    rows, files = EvidenceFile.objects.count(), files_under(media_root)
    response = upload(login("bob"), bobs_milestone, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page and "nhsuk-error-message" in page
    assert message in page
    assert EvidenceFile.objects.count() == rows, "a refused upload left a row"
    assert files_under(media_root) == files, "a refused upload left a file"
    bobs_milestone.refresh_from_db()
    assert not bobs_milestone.done


def test_no_file_at_all_is_refused(bobs_milestone, login):
    url = reverse("development:upload_evidence", kwargs={"pk": bobs_milestone.pk})
    assert "Select a file to upload" in login("bob").post(url, {}).content.decode()


@pytest.mark.parametrize(("name", "content"), [
    ("ei-report.pdf", demo_pdf("Emotional intelligence report")),
    ("certificate.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("scan.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    ("qi-write-up.docx", docx_bytes()),
], ids=["pdf", "png", "jpeg", "docx"])
def test_a_good_upload_puts_an_evidence_milestone_up_for_review(name, content, bobs_milestone, login, media_root):
    response = upload(login("bob"), bobs_milestone, name, content)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get(milestone_record=bobs_milestone)
    assert evidence.original_name == name and evidence.size == len(content)
    assert evidence.uploaded_by.username == "bob"
    stored = media_root / evidence.stored_name
    assert stored.read_bytes() == content
    bobs_milestone.refresh_from_db()
    assert not bobs_milestone.done and bobs_milestone.evidence_state == "submitted"


def test_evidence_is_served_only_to_those_who_see_the_development(bobs_milestone, login, client):
    upload(login("bob"), bobs_milestone, "ei.pdf", demo_pdf("EI"))
    evidence = EvidenceFile.objects.get(milestone_record=bobs_milestone)
    url = reverse("development:evidence_file", kwargs={"pk": evidence.pk})
    for username, status in [("bob", 200), ("alice", 200), ("erin", 200), ("tara", 200), ("charlie", 403),
                             ("aude", 403), ("sam", 403)]:
        client.logout()
        response = login(username).get(url)
        assert response.status_code == status, username
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert not url.startswith("/media") and not url.startswith("/static")


def test_someone_elses_milestone_cannot_take_evidence(bobs_milestone, login):
    assert upload(login("charlie"), bobs_milestone, "ei.pdf", demo_pdf("EI")).status_code == 403
    assert upload(login("aude"), bobs_milestone, "ei.pdf", demo_pdf("EI")).status_code == 403
    assert not EvidenceFile.objects.filter(milestone_record=bobs_milestone).exists()


def test_learning_record_evidence_is_checked_the_same_way(dev, login, media_root):
    from clinlead.development.models import LearningRecord

    bob = dev.personas["bob"]
    url = reverse("development:learning_create", kwargs={"pk": bob})
    before = (LearningRecord.objects.count(), EvidenceFile.objects.count(), files_under(media_root))
    page = login("bob").post(url, {"title": "Coaching skills", "kind": "course",
                                   "file": SimpleUploadedFile("cert.pdf", b"GIF89a not a pdf")}).content.decode()
    assert "The file is not a real PDF file" in page
    assert (LearningRecord.objects.count(), EvidenceFile.objects.count(), files_under(media_root)) == before
