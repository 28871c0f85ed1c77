"""Publishing a closed cycle: results are computed once, by the analytics core, under the
disclosure rule (leader first: docs/anonymity.md), and only the figures it publishes are stored.
Also: loading past cycles from a file, which publishes them through the same path.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions
from clinlead.analytics.association_clustered import clustered_associate_report
from clinlead.analytics.json_safe import finite
from clinlead.analytics.leaderindex_read import CsvFormatError, read_responses, table_from_rows
from clinlead.analytics.leaderindex_report import (
    cycle_report,
    published_percentiles,
    score_cycle,
)
from clinlead.analytics.shrinkage import published_standing
from clinlead.audit import services as audit
from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.leaderindex.signals import results_published
from clinlead.org.models import Person, Unit
from clinlead.surveys.coarsening import pooled_leader, with_association, with_finest_cells
from clinlead.surveys.models import Comment, Invitation, Response, SurveyCycle
from clinlead.surveys.services import default_instrument
from clinlead.tabular import text_problem
from clinlead.validation import date_window


def _rows(cycle, instrument, units_by_id, staff_numbers):
    """The cycle's responses as analyst rows (leader_id: the leader's staff number; unit: the
    respondent's unit path under the organisation's name), read once."""
    root = cycle.organisation.name
    ids = instrument.item_ids
    for n, r in enumerate(Response.objects.filter(cycle=cycle).values_list(
            "leader_id", "unit_id", "profession", "answers", "burnout", "satisfaction").iterator(chunk_size=5000)):
        leader_id, unit_id, profession, answers, burnout, satisfaction = r
        unit = units_by_id.get(unit_id)
        # An answer pooled at close has no leader: it stands alone, so it is pooled again.
        leader = staff_numbers[leader_id] if leader_id is not None else pooled_leader(n)
        row = {"cycle": cycle.name, "leader_id": leader,
               "unit": f"{root}/{unit}" if unit else root, "profession": profession,
               "burnout": burnout or "", "satisfaction": satisfaction or ""}
        row.update({item: (a if a is not None else "") for item, a in zip(ids, answers, strict=True)})
        yield row


def publish_cycle(*, actor, cycle) -> CycleResult:
    """Compute and store the cycle's published results, then open them to their readers."""
    if cycle.status != SurveyCycle.Status.CLOSED:
        raise ValidationError("Only a closed cycle can be published")
    with actions.atomic():
        result = _publish(actor, cycle)
        transaction.on_commit(lambda: _results_published(actor, cycle.organisation))
    return result


def republish_cycle(*, actor, cycle) -> CycleResult:
    """Compute a published cycle's figures again from its stored answers (after the disclosure
    rule changed): the published rows are replaced whole, in one transaction."""
    if cycle.status != SurveyCycle.Status.PUBLISHED:
        raise ValidationError("Only a published cycle can be published again")
    if cycle.answers_deleted_on is not None:
        # Publishing from no answers would replace every stored figure with nothing.
        raise ValidationError(f"The answers of the {cycle} were deleted on {cycle.answers_deleted_on} "
                              "(retention period over): its published figures are kept as they are")
    with actions.atomic():
        result = _publish(actor, cycle, action="leaderindex.cycle_republished")
        transaction.on_commit(lambda: _results_published(actor, cycle.organisation))
    return result


def _results_published(actor, organisation):
    """Tell the reports above (evaluations following this organisation's leader index take the
    newly published figure: `clinlead.evaluation.receivers`)."""
    results_published.send(sender=CycleResult, actor=actor, organisation=organisation)


def _publish(actor, cycle, action="leaderindex.cycle_published"):
    instrument = cycle.instrument.load()
    units_by_id = dict(Unit.objects.filter(organisation=cycle.organisation).values_list("id", "path"))
    leaders = Response.objects.filter(cycle=cycle).values_list("leader_id", flat=True).distinct()
    people = dict(Person.objects.filter(pk__in=leaders).values_list("id", "staff_number"))
    table = table_from_rows(rows=_rows(cycle, instrument, units_by_id, people), instrument=instrument)
    result = _store(cycle, table, cycle.min_responses, units_by_id, {v.strip(): k for k, v in people.items()})
    cycle.status = SurveyCycle.Status.PUBLISHED
    cycle.save(update_fields=["status"])
    audit.record(actor=actor, action=action, obj=cycle, organisation=cycle.organisation,
                 after={"leaders_published": cycle.leader_results.count(),
                        "units_published": cycle.unit_results.count()})
    return result


def _rate(entry, name):
    figure = entry.get(name)
    return (figure["rate"], figure["n"]) if figure else (None, None)


def _store(cycle, table, k, units_by_id, person_of):
    LeaderResult.objects.filter(cycle=cycle).delete()
    UnitResult.objects.filter(cycle=cycle).delete()
    if len(table) == 0:
        return CycleResult.objects.update_or_create(cycle=cycle, defaults={"min_responses": k})[0]
    scores = score_cycle(table=table, cycle=cycle.name, k=k)
    report = with_finest_cells(cycle.close_figures, cycle_report(scores=scores, ndigits=None, covers=True))
    percentiles = published_percentiles(scores=scores)
    comments = {}
    for leader_id in Comment.objects.filter(cycle=cycle).values_list("leader_id", flat=True):
        comments[leader_id] = comments.get(leader_id, 0) + 1
    leaders = []
    for entry in report["leaders"]:
        if not entry["published"]:
            continue
        person = person_of[entry["leader_id"]]
        (burnout, burnout_n), (satisfied, satisfied_n) = _rate(entry, "burnout"), _rate(entry, "satisfaction")
        leaders.append(LeaderResult(
            cycle=cycle, leader_id=person, responses=entry["n"], index=entry["index"],
            ci_low=(entry["ci95"] or [None, None])[0], ci_high=(entry["ci95"] or [None, None])[1],
            behaviours=entry["behaviours"], items=entry["items"], percentile=percentiles.get(entry["leader_id"]),
            burnout_rate=burnout, burnout_answered=burnout_n, satisfaction_rate=satisfied,
            satisfaction_answered=satisfied_n, covers=entry["covers"],
            comments_released=comments.get(person, 0) >= cycle.min_comments,
        ))
    _add_standing(leaders, table.instrument)
    LeaderResult.objects.bulk_create(leaders, batch_size=2000)
    root = cycle.organisation.name
    unit_ids = {path: uid for uid, path in units_by_id.items()}
    organisation_entry = None
    unit_results = []
    for entry in report["units"]:
        if entry["unit"] == root:
            organisation_entry = entry
            continue
        if not entry["published"]:
            continue
        unit_results.append(UnitResult(
            cycle=cycle, unit_id=unit_ids[entry["unit"].removeprefix(root + "/")], responses=entry["n"],
            index=entry["index"], ci_low=(entry["ci95"] or [None, None])[0], ci_high=(entry["ci95"] or [None, None])[1],
            behaviours=entry["behaviours"], counted_higher_up=entry["some_answers_counted_higher_up"],
            covers=entry["covers"],
        ))
    UnitResult.objects.bulk_create(unit_results, batch_size=2000)
    association = with_association(cycle.close_figures, clustered_associate_report(
        table=table, k=k, cycle=cycle.name, scores=scores))
    published_org = organisation_entry is not None and organisation_entry["published"]
    invited = Invitation.objects.filter(cycle=cycle).count()
    responded = len(table)
    return CycleResult.objects.update_or_create(cycle=cycle, defaults={
        "min_responses": k,
        "responses": organisation_entry["n"] if published_org else None,
        "index": organisation_entry["index"] if published_org else None,
        "organisation_figures": {key: organisation_entry[key] for key in ORGANISATION_KEYS} if published_org else {},
        "association": finite(association),
        "leader_indices": sorted(round(r.index, 1) for r in leaders),
        "response_rate": {"invited": invited, "responded": responded} if published_org and invited else {},
    })[0]


def _add_standing(leaders, instrument):
    """Each published leader's shrunk index, interval and bands, and their percentile by the
    shrunk index (leader comparisons do not rank on the raw mean of a few ratings); a cycle whose
    leaders give no interval keeps the raw percentile."""
    scale = (instrument.n_items * instrument.scale_min, instrument.n_items * instrument.scale_max)
    standing = published_standing(n=[r.responses for r in leaders], index=[r.index for r in leaders],
                                  ci_low=[r.ci_low for r in leaders], ci_high=[r.ci_high for r in leaders],
                                  scale=scale)
    for result, figures in zip(leaders, standing, strict=True):
        if figures["percentile"] is None:
            figures.pop("percentile")
        for name, value in figures.items():
            setattr(result, name, value)


ORGANISATION_KEYS = ("ci95", "behaviours", "some_answers_counted_higher_up", "covers")


UNDATED_CYCLE_YEAR = 2000  # a past cycle whose name does not begin with a year


def _cycle_year(name: str) -> int | None:
    """The year a past cycle's name begins with (four ASCII digits), None if that year is not
    plausible (0000, 9999); names that do not begin with a year are filed under 2000."""
    digits = name[:4]
    if len(digits) < 4 or not all("0" <= c <= "9" for c in digits):
        return UNDATED_CYCLE_YEAR
    earliest, latest = date_window()
    return int(digits) if earliest.year <= int(digits) <= latest.year else None


def import_past_cycle(*, actor, organisation, path, progress=None) -> list[SurveyCycle]:
    """Load past cycles from an analyst CSV (one row per response); each becomes a published cycle.

    `leader_id` is the leader's staff number; `unit` is the respondent's unit path, with or
    without the organisation's name in front. Everything is checked before anything is written.
    """
    instrument_row = default_instrument()
    instrument = instrument_row.load()
    try:
        table = read_responses(path=path, instrument=instrument, progress=progress)
    except CsvFormatError as exc:
        raise ValidationError(exc.problems) from exc
    people = dict(Person.objects.filter(organisation=organisation).values_list("staff_number", "id"))
    units = dict(Unit.objects.filter(organisation=organisation).values_list("path", "id"))
    problems = []
    for name in sorted(set(table.leaders)):
        if name not in people:
            problems.append(f"column leader_id: {name!r} is not a staff number in {organisation}")
    for path_text in sorted(set(table.units)):
        local = path_text.removeprefix(organisation.name + "/")
        if local not in units and path_text != organisation.name:
            problems.append(f"column unit: {path_text!r} is not a unit of {organisation}")
    existing = set(SurveyCycle.objects.filter(organisation=organisation).values_list("name", flat=True))
    name_length = SurveyCycle._meta.get_field("name").max_length
    years = {}
    for name in table.cycles:
        if name in existing:
            problems.append(f"column cycle: {organisation} already has a cycle called {name!r}")
        if problem := text_problem(name, max_length=name_length):
            problems.append(f"column cycle: {name[:40]!r} {problem}")
        years[name] = _cycle_year(name)
        if years[name] is None:
            earliest, latest = date_window()
            problems.append(f"column cycle: {name[:40]!r} begins with a year outside "
                            f"{earliest.year}-{latest.year}")
    if problems:
        raise ValidationError(problems[:50])
    cycles = []
    with actions.atomic():
        for code, name in enumerate(table.cycles):
            year = years[name]
            cycle = SurveyCycle.objects.create(
                organisation=organisation, name=name, instrument=instrument_row, status=SurveyCycle.Status.CLOSED,
                opens_on=date(year, 1, 1), closes_on=date(year, 12, 31), imported=True,
                min_responses=organisation.min_responses, min_comments=organisation.min_comments)
            rows = (table.cycle == code).nonzero()[0]
            Response.objects.bulk_create([
                Response(cycle=cycle, leader_id=people[table.leaders[table.leader[i]]],
                         unit_id=units.get(table.units[table.unit[i]].removeprefix(organisation.name + "/")),
                         profession=table.professions[table.profession[i]],
                         answers=[int(v) or None for v in table.items[i]],
                         burnout=int(table.burnout[i]) or None, satisfaction=int(table.satisfaction[i]) or None)
                for i in rows], batch_size=2000)
            audit.record(actor=actor, action="leaderindex.cycle_imported", obj=cycle, organisation=organisation,
                         after={"responses": len(rows)})
            _publish(actor, cycle)
            cycles.append(cycle)
    return cycles
