"""The 360 report: per dimension, the self-assessment, the line manager's rating (as theirs,
never pooled) and the pooled rater means the anonymity rules publish.

Which groups are published is decided by the one category-table rule,
`clinlead.analytics.disclosure_tables`, with the threshold fixed on the assessment when it opened (`Assessment.effective_k`); how a published
mean is shown (exactly, as a band near the ends of the scale, or not on that dimension) by
`clinlead.development.rater_figures`.
"""

from collections import defaultdict

from clinlead.analytics.disclosure_tables import Classing, publish_table
from clinlead.charts import theme, to_svg
from clinlead.development.models import ANONYMOUS_GROUPS, RaterGroup
from clinlead.development.rater_figures import dimension_figures

# Altair (and vl-convert) are imported inside the functions that draw: the URLs import this
# module in every process (each command's system checks, each web worker), most of which draw nothing.

ALL_RATERS = "all_raters"
GROUP_LABELS = {RaterGroup.PEER: "Peers", RaterGroup.DIRECT_REPORT: "Direct reports",
                ALL_RATERS: "All raters (peers and direct reports)"}
POOLED = [*ANONYMOUS_GROUPS, ALL_RATERS]


RATER_GROUPS = Classing.of([[(g, [g]) for g in ANONYMOUS_GROUPS]])


def rater_publication(*, counts: dict, k: int) -> frozenset:
    """Which anonymous rater groups may be shown: a one-row category table (the raters, by
    group) under the one category-table rule, so a group is shown only where the other is
    too (or empty), and "all raters" only from k raters up."""
    table = publish_table(counts={(g, frozenset({ALL_RATERS})): counts.get(g, 0) for g in ANONYMOUS_GROUPS},
                          rows=[ALL_RATERS], classing=RATER_GROUPS, k=k).rows[ALL_RATERS]
    if table.total < k:
        return frozenset()
    return frozenset({ALL_RATERS} | {c.categories[0] for c in table.classes if c.count})


def assessment_report(*, assessment):
    """Per dimension: the self-assessment, the line manager's rating, and each pooled group's
    figure where published: row[group] is the text shown (a mean, or a band such as "3.5 or
    above"), row[group + "_mean"] the exact mean when it is shown exactly. Rater figures appear
    only once the assessment is closed; a voided one shows none."""
    framework = assessment.framework
    dimensions = list(framework.dimensions.all())
    scale = framework.scale()
    k = assessment.effective_k
    manager_scores, by_group, published = None, defaultdict(list), frozenset()
    groups = []
    if assessment.is_closed:
        responses = list(assessment.responses.values_list("rater_group", "scores"))
        manager = [s for g, s in responses if g == RaterGroup.MANAGER]
        manager_scores = manager[0] if manager else None
        for g, s in responses:
            if g in ANONYMOUS_GROUPS:
                by_group[g].append(s)
                by_group[ALL_RATERS].append(s)
        published = rater_publication(counts={g: len(by_group[g]) for g in ANONYMOUS_GROUPS}, k=k)
        for g in POOLED:
            shown = g in published
            groups.append({"key": g, "label": GROUP_LABELS[g], "published": shown,
                           "responses": len(by_group[g]) if shown else None})
    rows = []
    for d in dimensions:
        key = str(d.pk)
        row = {"dimension": d, "self": assessment.self_scores.get(key),
               "manager": manager_scores.get(key) if manager_scores else None}
        # Each dimension counts only the raters who rated it: its own k.
        answered = rater_publication(counts={g: sum(key in s for s in by_group[g]) for g in ANONYMOUS_GROUPS}, k=k)
        figures = dimension_figures(
            scores_by_group={g: [s[key] for s in by_group[g] if key in s] for g in POOLED},
            published=set(published & answered), whole=ALL_RATERS, top=len(scale))
        for g in POOLED:
            figure = figures[g]
            row[g] = figure["text"] if figure else None
            row[f"{g}_mean"] = figure["mean"] if figure else None
        rows.append(row)
    return {"scale": scale, "rows": rows, "groups": groups, "k": k,
            "has_manager": manager_scores is not None, "closed": assessment.is_closed}


def assessment_chart(report, *, person_name):
    """Grouped bars per dimension: self, manager and the published rater means shown exactly."""
    import altair as alt
    series = [("self", "Self"), ("manager", "Line manager")] + [
        (f"{g['key']}_mean", g["label"].split(" (")[0]) for g in report["groups"] if g["published"]]
    data = [{"dimension": row["dimension"].name, "source": label, "score": row[key]}
            for row in report["rows"] for key, label in series if row.get(key) is not None]
    if not data:
        return ""
    top = len(report["scale"])
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("dimension:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("source:N", sort=[label for _, label in series]),
        x=alt.X("score:Q", title="Rating", scale=alt.Scale(domain=[0, top]), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("source:N", title=None, sort=[label for _, label in series]),
    )
    height = max(200, 18 * len(report["rows"]) * max(1, len({d["source"] for d in data})))
    return to_svg(theme(chart, title="Ratings by dimension", width=460, height=min(height, 900)),
                  description=f"Bar chart of ratings by dimension for {person_name}; the table below gives the "
                              "figures, including those shown as a band.")
