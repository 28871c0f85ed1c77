"""Competency frameworks as data: the two national frameworks' structure, an organisation's own
loaded with `clinlead load-framework`, versions kept side by side, bad files refused whole."""

import json

import pytest
from django.core.management import CommandError, call_command

from clinlead.development.frameworks import (
    BOARD_FRAMEWORK,
    FRAMEWORK_DIR,
    HEALTHCARE_LEADERSHIP_MODEL,
    NATIONAL_FILES,
    current_frameworks,
    load_national_frameworks,
)
from clinlead.development.models import Dimension, Framework
from clinlead.org.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_national_frameworks_have_their_dimensions_and_levels(db):
    load_national_frameworks()  # a no-op after the data migration; loads them after a flush
    hlm = Framework.objects.get(organisation=None, code=HEALTHCARE_LEADERSHIP_MODEL)
    assert [d.name for d in hlm.dimensions.all()] == [
        "Leading with care", "Sharing the vision", "Influencing for results", "Engaging the team",
        "Evaluating information", "Inspiring shared purpose", "Connecting our service", "Developing capability",
        "Holding to account"]
    assert [lv.name for lv in hlm.levels.all()] == ["Essential", "Proficient", "Strong", "Exemplary"]
    board = Framework.objects.get(organisation=None, code=BOARD_FRAMEWORK)
    assert board.dimensions.count() == 6 and board.version == "2024"
    assert len(board.scale()) == 4, "a framework without levels is rated on the default scale"
    assert load_national_frameworks() == [], "loading again changes nothing"


def test_framework_files_hold_structure_only(db):
    # The national frameworks ship as structure only (their text is not ours to copy); our own
    # example also carries behaviour statements, written for it.
    for path in FRAMEWORK_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        assert set(data) <= {"format", "organisation", "code", "name", "version", "publisher", "levels", "dimensions"}
        allowed = {"code", "name"} if path.name in NATIONAL_FILES else {"code", "name", "behaviours"}
        assert all(set(d) <= allowed for d in data["dimensions"]), path.name


def write(tmp_path, **changes):
    data = json.loads((FRAMEWORK_DIR / "example-organisation-framework.json").read_text())
    data.update(changes)
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(data))
    return path


def test_an_organisation_loads_its_own_framework_and_new_versions(dev, tmp_path, capsys):
    Framework.objects.filter(organisation__slug="northgate").delete()
    call_command("load_framework", str(write(tmp_path)))
    northgate = Organisation.objects.get(slug="northgate")
    first = Framework.objects.get(organisation=northgate)
    assert first.dimensions.count() == 5 and first.levels.count() == 3
    assert "5 dimensions" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_framework", str(write(tmp_path)))
    call_command("load_framework", str(write(tmp_path, version="2026.1", dimensions=[
        {"code": "safe-care", "name": "Keeps care safe"}, {"code": "learns", "name": "Learns from every shift"}])))
    assert Framework.objects.filter(organisation=northgate).count() == 2
    current = [f for f in current_frameworks(organisation=northgate) if not f.is_national]
    assert [f.version for f in current] == ["2026.1"]
    assert first.dimensions.count() == 5, "earlier versions stay as they were"


def test_the_organisation_can_be_given_on_the_command_line(dev, tmp_path):
    path = write(tmp_path, organisation=None, code="riverside-values")
    call_command("load_framework", str(path), "--organisation", "riverside")
    assert Framework.objects.get(code="riverside-values").organisation.slug == "riverside"


@pytest.mark.parametrize(("changes", "message"), [
    ({"format": "something-else"}, '"format" must be'),
    ({"dimensions": []}, '"dimensions" must be a non-empty list'),
    ({"dimensions": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]}, 'the code "a" is used twice'),
    ({"dimensions": [{"code": "a", "name": "A", "description": "copied text"}]}, 'only "code", "name" and "behaviours"'),
    ({"dimensions": [{"code": "a", "name": "A", "behaviours": "one long text"}]}, '"behaviours" must be a list'),
    ({"levels": ["Only one"]}, '"levels" must be 2 to 10'),
    ({"code": "Not A Code"}, '"code" may use only'),
    ({"organisation": "atlantis"}, "no organisation called 'atlantis'"),
])
def test_a_bad_file_is_refused_whole_with_the_reason(changes, message, dev, tmp_path):
    before = (Framework.objects.count(), Dimension.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("load_framework", str(write(tmp_path, version="9", **changes)))
    assert (Framework.objects.count(), Dimension.objects.count()) == before


def test_a_file_that_is_not_json_is_refused(dev, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_framework", str(path))


def test_the_frameworks_page_lists_national_and_own_versions(dev, login):
    from django.urls import reverse

    page = login("bob").get(reverse("development:frameworks", kwargs={"slug": "northgate"})).content.decode()
    assert "NHS Healthcare Leadership Model" in page and "Northgate clinical leadership behaviours" in page
    assert "NHS Leadership Competency Framework for board members" in page


def test_a_programme_lead_loads_a_new_version_on_the_web_starting_from_the_current_one(dev, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    erin = login("erin")
    current = Framework.objects.get(organisation__slug="northgate", code="northgate-clinical-leadership")
    document = json.loads(erin.get(reverse("development:framework_download", kwargs={"pk": current.pk})).content)
    assert [d["behaviours"] for d in document["dimensions"]] == [d.behaviours for d in current.dimensions.all()]
    url = reverse("development:framework_upload", kwargs={"slug": "northgate"})
    page = erin.post(url, {"file": SimpleUploadedFile("same.json", json.dumps(document).encode())}).content.decode()
    assert "already loaded" in page
    document["version"] = "2026.1"
    document["dimensions"][0]["behaviours"].append("Stops the line when care is unsafe")
    response = erin.post(url, {"file": SimpleUploadedFile("next.json", json.dumps(document).encode())})
    assert response.status_code == 302
    newer = Framework.objects.get(organisation__slug="northgate", code=current.code, version="2026.1")
    assert newer.dimensions.first().behaviours[-1] == "Stops the line when care is unsafe"
    assert newer in current_frameworks(organisation=newer.organisation) and current.dimensions.exists()
    document["version"], document["dimensions"][1] = "2026.2", {"code": "x", "name": "X", "text": "copied"}
    page = erin.post(url, {"file": SimpleUploadedFile("bad.json", json.dumps(document).encode())}).content.decode()
    assert "dimension 2" in page and not Framework.objects.filter(version="2026.2").exists()
