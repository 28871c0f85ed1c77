"""Sealed boxes: only the custodians' key files with their passphrases open what was sealed."""

import json

import nacl.pwhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead import sealing

PASS_A = "correct horse battery"
PASS_B = "another long passphrase"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch):
    monkeypatch.setattr(
        sealing, "_kdf_cost", (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN)
    )


def test_one_custodian_opens_what_was_sealed():
    keys = sealing.make_custody_keys(passphrases=[PASS_A], label="Leader index 2026")
    box = sealing.seal(public_key=keys.public_key, payload={"q1": 4, "comment": "ok"}, size=256)
    opener = sealing.open_custody_keys(
        public_key=keys.public_key, key_files=keys.key_files, passphrases=[PASS_A]
    )
    assert opener.open(box) == {"q1": 4, "comment": "ok"}


def test_the_key_file_holds_no_usable_key_without_the_passphrase():
    keys = sealing.make_custody_keys(passphrases=[PASS_A], label="x")
    document = json.loads(keys.key_files[0])
    assert document["public_key"] == keys.public_key
    assert set(document) == {
        "format",
        "label",
        "public_key",
        "custodian",
        "custodians",
        "kdf",
        "share",
    }
    with pytest.raises(sealing.CustodyError, match="passphrase for key file 1 is wrong"):
        sealing.open_custody_keys(
            public_key=keys.public_key, key_files=keys.key_files, passphrases=[PASS_B]
        )


def test_two_custodians_are_both_needed_and_either_order_works():
    keys = sealing.make_custody_keys(passphrases=[PASS_A, PASS_B], label="Ballot")
    box = sealing.seal(public_key=keys.public_key, payload=[3, 1, 2], size=128)
    with pytest.raises(sealing.CustodyError, match="every custodian"):
        sealing.open_custody_keys(
            public_key=keys.public_key, key_files=keys.key_files[:1], passphrases=[PASS_A]
        )
    opener = sealing.open_custody_keys(
        public_key=keys.public_key, key_files=keys.key_files[::-1], passphrases=[PASS_B, PASS_A]
    )
    assert opener.open(box) == [3, 1, 2]
    with pytest.raises(sealing.CustodyError, match="key file 2 is wrong"):
        sealing.open_custody_keys(
            public_key=keys.public_key, key_files=keys.key_files, passphrases=[PASS_A, PASS_A]
        )


def test_a_key_file_with_its_custodian_number_edited_away_is_refused_not_a_crash():
    keys = sealing.make_custody_keys(passphrases=[PASS_A, PASS_B], label="Ballot")
    edited = json.loads(keys.key_files[1])
    del edited["custodian"]
    with pytest.raises(sealing.CustodyError, match="every custodian"):
        sealing.open_custody_keys(
            public_key=keys.public_key,
            key_files=[keys.key_files[0], json.dumps(edited).encode()],
            passphrases=[PASS_A, PASS_B],
        )


def test_a_key_file_of_another_ballot_is_named_as_such():
    ours = sealing.make_custody_keys(passphrases=[PASS_A], label="ours")
    theirs = sealing.make_custody_keys(passphrases=[PASS_A], label="theirs")
    with pytest.raises(sealing.CustodyError, match="belongs to another"):
        sealing.open_custody_keys(
            public_key=ours.public_key, key_files=theirs.key_files, passphrases=[PASS_A]
        )
    with pytest.raises(sealing.CustodyError, match="not a Clinlead custody key file"):
        sealing.open_custody_keys(
            public_key=ours.public_key, key_files=[b"\x00garbage"], passphrases=[PASS_A]
        )


def test_short_passphrases_are_refused():
    with pytest.raises(sealing.CustodyError, match="at least 12"):
        sealing.make_custody_keys(passphrases=["short"], label="x")


@settings(max_examples=30, deadline=None)
@given(payload=st.one_of(st.text(max_size=200), st.lists(st.integers(1, 5), max_size=12)))
def test_every_box_is_the_same_length_whatever_it_holds(payload):
    keys = _KEYS
    short = sealing.seal(public_key=keys.public_key, payload=None, size=1024)
    box = sealing.seal(public_key=keys.public_key, payload=payload, size=1024)
    assert len(box) == len(short)


def test_two_boxes_of_the_same_answer_differ():
    a = sealing.seal(public_key=_KEYS.public_key, payload={"q1": 5}, size=64)
    b = sealing.seal(public_key=_KEYS.public_key, payload={"q1": 5}, size=64)
    assert a != b


def test_a_payload_too_large_for_its_box_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        sealing.seal(public_key=_KEYS.public_key, payload="x" * 100, size=64)


_KEYS = sealing.CustodyKeys(
    public_key=sealing._b64(bytes(sealing.nacl.public.PrivateKey.generate().public_key)),
    key_files=[],
)
