"""Quasi-identifiers at rest (docs/secrecy.md): after close a stored answer keeps only the cell
its published figures need, so nobody who knows a person's unit, leader and profession (from HR
records) can pick out their answer; and the figures published from the stored answers are the
ones the respondents' own cells would have given.
"""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinlead import custody, sealing
from clinlead.analytics.association_clustered import clustered_associate_report
from clinlead.analytics.instrument import load_instrument_file
from clinlead.analytics.leaderindex_read import table_from_rows
from clinlead.analytics.leaderindex_report import cycle_report, score_cycle
from clinlead.leaderindex import services as leaderindex
from clinlead.leaderindex.models import CycleResult
from clinlead.leaderindex.selectors_published import published_figures
from clinlead.surveys import coarsening, services
from clinlead.surveys.models import Response, SurveyCycle
from clinlead.surveys.services_coarsen import coarsen_closed_cycle

INSTRUMENT = load_instrument_file(path=services.DEFAULT_INSTRUMENT)


def alone(rows, k):
    return coarsening.answers_alone_in_their_cell(rows, k)


def stored(cycle):
    return list(Response.objects.filter(cycle=cycle).values(
        "unit", "leader", "profession", "answers", "burnout", "satisfaction"))


def report(sheets, *, instrument, k, paths, root="Org", labels=None, cells=None):
    """The leader and unit figures the disclosure rule publishes from these sheets, keyed by
    leader and by unit path, with the cells each covers. An answer without a leader stands
    alone, as publication reads it; `cells` are those kept at close, as publication uses them."""
    labels = labels or {}
    rows = [coarsening.analyst_row(
                cycle_name="c", root=root, instrument=instrument,
                leader=labels.get(s["leader"], str(s["leader"])) if s["leader"] is not None
                else coarsening.pooled_leader(n),
                unit_path=paths.get(s["unit"]), profession=s["profession"], answers=s["answers"],
                burnout=s["burnout"], satisfaction=s["satisfaction"])
            for n, s in enumerate(sheets)]
    table = table_from_rows(rows=rows, instrument=instrument)
    scores = score_cycle(table=table, cycle="c", k=k)
    out = coarsening.with_finest_cells(cells, cycle_report(scores=scores, ndigits=9, covers=True))
    leaders = {e["leader_id"]: e for e in out["leaders"] if e["n"] is not None}
    units = {e["unit"]: e for e in out["units"] if e["n"] is not None}
    association = coarsening.with_association(cells, clustered_associate_report(table=table, k=k, cycle="c",
                                                                           scores=scores))
    return leaders, units, rounded({key: association[key] for key in ("burnout", "satisfaction", "unit_correlation")})


def rounded(value):
    """Figures to 9 places: the same sums added in another order differ in the last bits."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


def demo_key(cycle):
    name = f"{cycle.organisation.slug}-{cycle.name}-custody-key.json"
    return (custody.demo_key_folder() / name).read_bytes()


def test_the_demo_cycle_stores_nobody_alone_and_publishes_the_same_figures(demo):
    cycle = SurveyCycle.objects.filter(status=SurveyCycle.Status.OPEN, organisation__slug="northgate").get()
    instrument, k = cycle.instrument.load(), cycle.min_responses
    paths = dict(cycle.organisation.units.values_list("id", "path"))
    opener = sealing.open_custody_keys(public_key=cycle.public_key, key_files=[demo_key(cycle)],
                                       passphrases=[custody.DEMO_PASSPHRASE])
    own_cells = [opener.open(box) for box in cycle.sealed_responses.values_list("box", flat=True)]
    assert alone(own_cells, k) > 0, "the respondents' own cells single some out"
    services.close_cycle(actor=None, cycle=cycle, key_files=[demo_key(cycle)], passphrases=[custody.DEMO_PASSPHRASE])
    rows = stored(cycle)
    assert len(rows) == len(own_cells) and alone(rows, k) == 0
    cycle.refresh_from_db()
    fine_leaders, fine_units, fine_association = report(own_cells, instrument=instrument, k=k, paths=paths)
    coarse_leaders, coarse_units, coarse_association = report(rows, instrument=instrument, k=k, paths=paths,
                                                              cells=with_ids_as_labels(cycle))
    assert coarse_leaders == fine_leaders and coarse_units == fine_units
    assert coarse_association == fine_association
    assert fine_leaders and fine_units
    assert any(e["some_answers_counted_higher_up"] for e in fine_units.values()), "the flag is tried"
    # ... and publication, reading the stored answers, stores those figures.
    leaderindex.publish_cycle(actor=None, cycle=cycle)
    staff = dict(cycle.organisation.people.values_list("id", "staff_number"))
    root = cycle.organisation.name
    fine_leaders, fine_units, fine_association = report(own_cells, instrument=instrument, k=k, paths=paths,
                                                        root=root, labels=staff)
    published = published_figures(cycle=cycle, covers=True)
    stored_association = CycleResult.objects.get(cycle=cycle).association
    assert rounded({key: stored_association[key] for key in fine_association}) == fine_association
    assert {leader: (e["n"], round(e["index"], 6), e["covers"]) for leader, e in fine_leaders.items()} == \
        {e["leader_id"]: (e["n"], round(e["index"], 6), e["covers"]) for e in published["leaders"] if e["n"] is not None}
    assert {path: (e["n"], e["some_answers_counted_higher_up"], e["covers"]) for path, e in fine_units.items()} == \
        {e["unit"]: (e["n"], e["some_answers_counted_higher_up"], e["covers"])
         for e in published["units"] if e["n"] is not None}


def with_ids_as_labels(cycle):
    """The cells kept at close, with leaders named by id (as `report` names them) not staff number."""
    ids = {number: str(pk) for pk, number in cycle.organisation.people.values_list("id", "staff_number")}
    root = cycle.organisation.name

    def cell(pair):
        return [("Org" + pair[0][len(root):]), ids[pair[1]]]

    cells = cycle.close_figures
    return {"leaders": {ids[leader]: sorted(cell(p) for p in covers) for leader, covers in cells["leaders"].items()},
            "units": {"Org" + path[len(root):]: [sorted(cell(p) for p in covers), flag]
                      for path, (covers, flag) in cells["units"].items()},
            "association": cells["association"]}


ANSWER_CHOICES = [1, 2, 3, 4, 5, None]
LEADER, PROFESSION = st.integers(1, 7), st.sampled_from(["nurse", "doctor", "ahp", ""])
BURNOUT, SATISFACTION = st.sampled_from([None, 1, 3, 5]), st.sampled_from([None, 2, 4])


def random_sheets(draw):
    # A sheet's twelve answers come from one drawn random source (a draw per answer, up to 720
    # an example, was most of the test's time); where each sheet sits, who leads it and whether
    # it counts at all stay drawn choice by choice, so a failure still shrinks to few sheets.
    # The strategies are built once (per tree for the units), not per sheet.
    rng = draw(st.randoms(use_true_random=True))
    n_units = draw(st.integers(1, 9))
    parents = [-1] + [draw(st.integers(0, u - 1)) for u in range(1, n_units)]
    paths = {}
    for u, parent in enumerate(parents):
        paths[u + 1] = f"{paths[parent + 1]}/u{u}" if parent >= 0 else f"u{u}"
    units = st.sampled_from([None, *paths])  # None: the organisation itself
    n = draw(st.integers(0, 60))
    sheets = []
    for _ in range(n):
        blank = draw(st.integers(0, 9)) == 0  # some answer nothing that counts towards the index
        answers = [None] * 12 if blank else [rng.choice(ANSWER_CHOICES) for _ in range(12)]
        sheets.append({"unit": draw(units), "leader": draw(LEADER), "profession": draw(PROFESSION),
                       "answers": answers, "burnout": draw(BURNOUT), "satisfaction": draw(SATISFACTION)})
    return paths, sheets, draw(st.integers(3, 5))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.composite(random_sheets)())
def test_on_random_trees_the_stored_cells_give_the_same_figures_and_single_nobody_out(case):
    paths, sheets, k = case
    instrument = INSTRUMENT
    coarse, cells = coarsening.coarsen_sheets(sheets=sheets, instrument=instrument, k=k, unit_paths=paths,
                                              root="Org", cycle_name="c")
    assert len(coarse) == len(sheets)
    assert alone(coarse, k) == 0
    if not sheets:
        return
    fine_leaders, fine_units, fine_association = report(sheets, instrument=instrument, k=k, paths=paths)
    coarse_leaders, coarse_units, coarse_association = report(coarse, instrument=instrument, k=k, paths=paths,
                                                              cells=cells)
    assert coarse_leaders == fine_leaders
    assert coarse_units == fine_units
    assert coarse_association == fine_association



def test_cycles_closed_before_are_coarsened_once_with_the_same_published_figures(demo):
    from django.core.management import call_command

    cycle = SurveyCycle.objects.filter(status=SurveyCycle.Status.PUBLISHED, organisation__slug="northgate").first()
    k = cycle.min_responses
    before = published_figures(cycle=cycle, covers=True)
    association = CycleResult.objects.get(cycle=cycle).association
    assert alone(stored(cycle), k) > 0, "the demo's past cycles were stored with their own cells"
    call_command("survey_coarsen", stdout=StringIO())
    cycle.refresh_from_db()
    assert alone(stored(cycle), k) == 0 and cycle.close_figures
    leaderindex.republish_cycle(actor=None, cycle=cycle)
    assert rounded(published_figures(cycle=cycle, covers=True)) == rounded(before)
    assert rounded(CycleResult.objects.get(cycle=cycle).association) == rounded(association)
    # Once is enough: the stored rows no longer hold the cells the kept figures were made from.
    with pytest.raises(ValidationError, match="already stored coarsened"):
        coarsen_closed_cycle(actor=None, cycle=cycle)
