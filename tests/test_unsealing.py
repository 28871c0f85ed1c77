"""One close-and-unlink (docs/secrecy.md, "One close for surveys, ballots and 360s"): the only code
that rebuilds a custodian key or opens a sealed box is `clinlead.unsealing` (around the
cryptography of `clinlead.sealing`), so the promises of the close are kept in one place."""

import re
from pathlib import Path

import clinlead

ROOT = Path(clinlead.__file__).resolve().parent
OPENS_BOXES = re.compile(r"open_custody_keys\(|\bopener\.open\(|SealedBox\([^)]*[Pp]rivate")


def test_only_the_unsealing_service_opens_sealed_answers_and_ballots():
    elsewhere = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.name not in ("sealing.py", "unsealing.py") or path.parent != ROOT
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OPENS_BOXES.search(line)
    ]
    assert elsewhere == []


def test_the_surveys_ballots_and_360s_close_through_it():
    closes = {
        "surveys/services.py": "def close_cycle(",
        "selection/services_ballot.py": "def close_ballot(",
        "development/services_assessment.py": "def close_assessment(",
    }
    for name, start in closes.items():
        text = (ROOT / name).read_text()
        body = text[text.index(start):]
        body = body[:body.index("\ndef ", 1)]
        assert "unsealing.close_and_unlink(" in body, name
