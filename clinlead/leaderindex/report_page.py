"""What a leader's report shows (page and PDF alike): the published figures beside the
organisation's and the previous year's, strengths and opportunities, suggested actions (from the
apps that offer them: development), the charts with their tables, and the comments."""

from django.http import Http404

from clinlead.discovery import app_modules
from clinlead.leaderindex import report_charts, selectors_leader, selectors_report

MAX_SUGGESTED_BEHAVIOURS = 2


def _question(number_of, texts, row):
    you, theirs, gap = round(100 * row["share"]), round(100 * row["organisation"]), row["difference"]
    # Less than one person's answer apart is not a difference worth naming.
    if abs(gap) < 100 / row["answered"]:
        beside = "about the same as the organisation"
    else:
        beside = f"{abs(gap)} points {'above' if gap > 0 else 'below'} the organisation"
    words = f"{you}% of your team agree, against {theirs}% across the organisation: {beside}."
    return {**row, "number": number_of[row["item"]], "text": texts[row["item"]], "words": words}


def _suggestions(*, user, leader, behaviours):
    """(suggestions per behaviour, development offers) from every app with a `leader_report`."""
    entries, offers = [], []
    for module in app_modules("leader_report"):
        entries += module.suggestions(user=user, leader=leader, behaviours=behaviours)
        offers += module.offers(user=user, leader=leader)
    return entries, offers


def report_context(*, user, cycle, leader, phone=True) -> dict:
    """Everything the report templates need; `phone` False draws the charts for print only."""
    report = selectors_report.leader_report(cycle=cycle, leader=leader)
    if report is None:
        raise Http404("No published report")
    instrument = cycle.instrument.load()
    result = report["result"]
    organisation = selectors_leader.organisation_figures(cycle=cycle)
    previous = selectors_leader.previous_result(cycle=cycle, leader=leader)
    org_behaviours = (organisation or {}).get("behaviours", {})
    behaviour_rows = [{
        "behaviour": name, "you": score, "organisation": org_behaviours.get(name),
        "previous": previous.behaviours.get(name) if previous else None,
        "compared": selectors_leader.compared(score, org_behaviours.get(name)),
    } for name, score in result.behaviours.items()]
    number_of = {item.id: n for n, item in enumerate(instrument.items, start=1)}
    texts = {item.id: item.text for item in instrument.items}
    actionable = {item.id for item in instrument.items if item.behaviour != "overall"}
    strengths, opportunities = selectors_leader.strengths_and_opportunities(
        items=result.items, organisation=selectors_leader.organisation_favourable(cycle=cycle), actionable=actionable)
    behaviour_of = {item.id: item.behaviour for item in instrument.items}
    # What to work on: the behaviours of the opportunities first, then those scored lower than the
    # organisation's, furthest below first.
    lower = sorted((r for r in behaviour_rows if r["compared"] == "lower"), key=lambda r: r["you"] - r["organisation"])
    to_work_on = list(dict.fromkeys([behaviour_of[r["item"]] for r in opportunities]
                                    + [r["behaviour"] for r in lower]))[:MAX_SUGGESTED_BEHAVIOURS]
    ci = [result.ci_low, result.ci_high] if result.ci_low is not None and result.ci_high is not None else None
    you = {"label": f"You ({cycle.name})", "index": result.index, "ci95": ci}
    org = {"label": f"Organisation ({cycle.name})", "index": organisation["index"],
           "ci95": organisation.get("ci95")} if organisation else None
    before = {"label": f"You ({previous.cycle.name})", "index": previous.index,
              "ci95": [previous.ci_low, previous.ci_high] if previous.ci_low is not None else None} if previous else None
    shown_items = {i: d for i, d in result.items.items() if d is not None}
    suggestions, offers = _suggestions(user=user, leader=leader, behaviours=to_work_on)
    previous_name = previous.cycle.name if previous else ""
    return {
        "cycle": cycle, "leader": leader, "result": result, "comments": report["comments"],
        "instrument": instrument, "organisation": organisation, "previous": previous, "ci": ci,
        "index_vs_organisation": selectors_leader.index_compared(ci=ci, other=org and org["index"]),
        "index_vs_previous": selectors_leader.index_compared(ci=ci, other=previous and previous.index),
        "percentile_words": selectors_leader.percentile_words(result.percentile),
        "same_behaviour": selectors_leader.SAME_BEHAVIOUR,
        "behaviours_not_shown": [r["behaviour"].capitalize() for r in behaviour_rows if r["you"] is None],
        "items_not_shown": [f"{number_of[i]}. {texts.get(i, i)}" for i, d in result.items.items() if d is None],
        "strengths": [_question(number_of, texts, r) for r in strengths],
        "opportunities": [_question(number_of, texts, r) for r in opportunities],
        "suggestions": suggestions, "offers": offers,
        "index_figure": report_charts.index_figure(you=you, organisation=org, previous=before, phone=phone),
        "behaviours_figure": report_charts.behaviours_figure(rows=behaviour_rows, previous_name=previous_name,
                                                             phone=phone)
        if any(r["you"] is not None for r in behaviour_rows) else None,
        "items_figure": report_charts.items_figure(items=shown_items, instrument=instrument, phone=phone)
        if shown_items else None,
        "trend_figure": report_charts.trend_figure(points=report["trend"], phone=phone)
        if len(report["trend"]) > 1 else None,
    }
