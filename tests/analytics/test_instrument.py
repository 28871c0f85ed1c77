"""The instrument is data: the default is the 12-item CLBI transcribed from INSTRUMENT.md, and
another instrument (say 9 items) loads from a dict with no code change."""

import json

import pytest

from clinlead.analytics.instrument import (
    INSTRUMENTS_DIR,
    InstrumentError,
    default_instrument,
    load_instrument,
)


def nine_item_data():
    data = json.loads((INSTRUMENTS_DIR / "clbi-v1.json").read_text())
    data["id"] = "nine"
    data["items"] = data["items"][:9]
    return data


def test_the_default_instrument_has_12_items_scored_12_to_60():
    inst = default_instrument()
    assert inst.id == "clbi-v1"
    assert inst.item_ids == tuple(f"q{i}" for i in range(1, 13))
    assert (inst.index_min, inst.index_max) == (12, 60)
    assert inst.max_missing == 2 and inst.min_answered == 10


def test_the_default_behaviours_follow_the_item_table():
    inst = default_instrument()
    assert {name: [inst.items[p].id for p in pos] for name, pos in inst.behaviours.items()} == {
        "include": ["q1", "q2"],
        "inform": ["q3", "q4"],
        "inquire": ["q5", "q6"],
        "develop": ["q7", "q8", "q9"],
        "recognize": ["q10", "q11"],
        "overall": ["q12"],
    }


def test_the_default_texts_and_scale_labels_are_transcribed():
    inst = default_instrument()
    assert inst.items[1].text == "I feel safe to raise a concern or a mistake with my leader."
    assert [p.label for p in inst.scale] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    assert inst.stem.startswith("Thinking about your immediate leader")
    assert inst.comment.prompt == "Is there anything else you would like your leader to hear?"
    assert inst.comment.min_n == 10


def test_burned_out_is_3_or_more_and_satisfied_is_4_or_more():
    inst = default_instrument()
    assert inst.burnout.cutoff == 3 and len(inst.burnout.options) == 5
    assert inst.burnout.options[2].label.startswith("I am starting to burn out")
    assert inst.satisfaction.cutoff == 4


def test_the_analyst_csv_header_comes_from_the_instrument():
    assert ",".join(default_instrument().csv_header) == (
        "cycle,leader_id,unit,profession,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,"
        "burnout,satisfaction"
    )


def test_a_nine_item_instrument_loads_and_scores_9_to_45():
    inst = load_instrument(data=nine_item_data())
    assert inst.n_items == 9 and (inst.index_min, inst.index_max) == (9, 45)
    assert inst.csv_header[-3:] == ("q9", "burnout", "satisfaction")


def test_an_instrument_round_trips_through_plain_data():
    inst = default_instrument()
    assert load_instrument(data=json.loads(json.dumps(inst.to_dict()))) == inst


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(items=[]), "items"),
        (lambda d: d["items"].append(dict(d["items"][0])), "unique"),
        (lambda d: d.update(max_missing=12), "max_missing"),
        (lambda d: d["scale"].pop(2), "consecutive"),
        (lambda d: d["burnout"].update(cutoff=1), "cutoff"),
        (lambda d: d.pop("satisfaction"), "satisfaction"),
    ],
)
def test_broken_instruments_are_refused_with_a_reason(change, message):
    data = json.loads((INSTRUMENTS_DIR / "clbi-v1.json").read_text())
    change(data)
    with pytest.raises(InstrumentError, match=message):
        load_instrument(data=data)
