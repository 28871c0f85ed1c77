"""Gender and ethnicity tables (workforce diversity, pipeline diversity), attacked as a reader
holding every page: every count shown in a table, and every total shown anywhere (the
organisation page's headcounts, pool depths), is a figure; each covers the people it counts.
People covered by exactly the same figures form a part, and no part may hold 1..k-1 people.
A percentage may show only where its numerator, its complement and its denominator show.

Figures are read off the pages; who is who comes from the database (the ground truth). A cell
is read under the columns it spans: a pooled class ("Man, another gender or not stated: 26")
spans the finest columns it holds, and counts everyone of any of them. A count of 0 is a part of
0 people ("nobody here is X"), which the property allows; headcounts are category-blind, so what
they give away is solved for (who works where is public) rather than counted as parts.
"""

import re
from datetime import date

import pytest

from clinlead.development.models import DevelopmentPlan
from clinlead.org.models import Appointment, Person, Unit, UnitMembership
from clinlead.org.special_category import ETHNIC_GROUP_OF
from clinlead.succession.models import PoolCandidate
from tests.anonymity_audit.auditor import Figure, audit
from tests.anonymity_audit.pages import tables, visible_text
from tests.anonymity_audit.table_attack import Shown, pinned_small_counts

TOTAL = "Total"
WHITE, NOT_STATED = "White", "Not stated"
ANOTHER_GENDER = "Another gender or not stated"


def gender_label(code):
    return {"woman": "Woman", "man": "Man"}.get(code or "", ANOTHER_GENDER)


def ethnic_label(code):
    return ETHNIC_GROUP_OF.get(code or "not_stated", NOT_STATED)


# ------------------------------------------------------------------ ground truth
def workforce(org, day):
    """person id -> {"units": {path}, "gender": code, "ethnicity": group} for active staff."""
    people = {
        pid: {"units": set(), "Gender": gender_label(g), "Ethnic": ethnic_label(e)}
        for pid, g, e in Person.objects.filter(organisation=org, active=True).values_list(
            "pk", "demographics__gender", "demographics__ethnicity"
        )
    }
    for pid, path in (
        UnitMembership.objects.on(day)
        .filter(unit__organisation=org, person__active=True)
        .values_list("person_id", "unit__path")
    ):
        people[pid]["units"].add(path)
    return people


def in_column(person, column):
    """Whether a person counts in a column of a gender or ethnicity table; unknown labels fail
    loudly, so a renamed or pooled column is taught to the auditor rather than skipped."""
    if isinstance(column, tuple):  # a pooled class: a cell spanning these columns
        return any(in_column(person, c) for c in column)
    if column == TOTAL:
        return True
    if column == "Man, another gender or not stated":
        return person["Gender"] in ("Man", ANOTHER_GENDER)
    if column == "White or not stated":
        return person["Ethnic"] in (WHITE, NOT_STATED)
    if column in ("Woman", "Man", ANOTHER_GENDER):
        return person["Gender"] == column
    if column in set(ETHNIC_GROUP_OF.values()) | {NOT_STATED}:
        return person["Ethnic"] == column
    if "minority" in column.lower():  # Black and minority ethnic, as the WRES pools them
        return person["Ethnic"] not in (WHITE, NOT_STATED)
    raise AssertionError(f"column {column!r}: the auditor does not know whom it counts")


def table_figures(page_tables, people, row_members, where):
    """Every count shown in the tables, as a Figure covering the people it counts; and the
    shown cells as (table, row, column, count, percent, total shown in the row)."""
    figures, shown = [], []
    for t, table in enumerate(page_tables):
        for i, row in enumerate(table.rows):
            label = row[0]
            members = row_members(table, label)
            # A cell sits under the columns it spans: a pooled class spans several (its own
            # label then precedes the count, and must name the same people as those columns).
            cells = {
                columns[0] if len(columns) == 1 else columns: text
                for columns, text in table.spanned(i)
            }
            row_total = _count(cells.get(TOTAL, ""))
            for column, text in cells.items():
                count = _count(text)
                if count is None:
                    continue
                pooled_as = _pooled_label(text)
                if pooled_as is not None:
                    differ = [
                        p
                        for p in members
                        if in_column(people[p], pooled_as) != in_column(people[p], column)
                    ]
                    assert not differ, (
                        f"{table.caption} / {label}: {text!r} spans {column}, which count others"
                    )
                cover = frozenset(p for p in members if in_column(people[p], column))
                figures.append(Figure((where, table.caption, t, label, column), cover, n=count[0]))
                shown.append(
                    (
                        where,
                        table.caption,
                        label,
                        column,
                        count[0],
                        count[1],
                        row_total[0] if row_total else None,
                    )
                )
    return figures, shown


def _count(text):
    """(count, percent or None) of a cell showing a number, optionally after its pooled class's
    label ("Black and minority ethnic: 350 (29%)"); None for a cell showing no number."""
    m = re.match(r"^(?:[^:\d][^:]*:\s*)?(\d[\d,]*)(?:\s*\((\d+)%\))?$", text.strip())
    return (int(m[1].replace(",", "")), int(m[2]) if m[2] else None) if m else None


def _pooled_label(text):
    m = re.match(r"^([^:\d][^:]*):\s*\d", text.strip())
    return m[1].strip() if m else None


def percentage_problems(shown, k):
    problems = []
    for where, caption, label, column, n, pct, total in shown:
        if pct is None:
            continue
        if total is None:
            problems.append(
                f"{where} {caption} / {label} / {column}: '{n} ({pct}%)' with the total not shown "
                f"(the total is about {round(100 * n / pct) if pct else '?'})"
            )
        elif not ((n == 0 or n >= k) and (total - n == 0 or total - n >= k)):
            # A count is publishable when it is 0 or at least k (the property: every part holds
            # 0 or at least k); "0 (0%)" says nobody here is in the class, which splits no one off.
            problems.append(
                f"{where} {caption} / {label} / {column}: {n} of {total} leaves {total - n} outside"
            )
    return problems


def headcounts_on_the_organisation_page(html, people, org):
    """The organisation page's 'Staff' figure and each division's '(Division, N staff)' and
    department's '(N staff)'."""
    figures = []
    staff = re.search(r"Staff\s+([\d,]+)", visible_text(html))
    if staff:
        figures.append(
            Figure(
                ("organisation page", "Staff"), frozenset(people), n=int(staff[1].replace(",", ""))
            )
        )
    for pk, n in re.findall(
        r'href="/org/units/(\d+)/">[^<]*</a>\s*<span[^>]*>\((?:[^,)]*, )?([\d,]+) staff\)', html
    ):
        unit = Unit.objects.get(pk=pk)  # divisions and departments alike
        below = frozenset(
            p
            for p, v in people.items()
            if any(u == unit.path or u.startswith(unit.path + "/") for u in v["units"])
        )
        figures.append(Figure(("organisation page", unit.path), below, n=int(n.replace(",", ""))))
    return figures


def _audit_message(result, extra=()):
    return "\n".join([result.explain(limit=20), *extra])


def solved_disclosures(page_tables, people, row_members, groups, k, dimension_of):
    """What a reader who knows `groups` pins by solving the shown counts of each dimension."""
    problems = []
    by_dimension = {}
    for table in page_tables:
        by_dimension.setdefault(dimension_of(table), []).append(table)
    for dimension, section in by_dimension.items():
        figures, _ = table_figures(section, people, row_members, dimension)
        category_of = {
            p: people[p][dimension] for p in people if p in set().union(*groups.values())
        }
        shown = [
            Shown(
                f.id,
                frozenset(row_members(section[f.id[2]], f.id[3])),
                frozenset(c for c in set(category_of.values()) if _column_holds(f.id[4], c)),
                f.n,
            )
            for f in figures
        ]
        problems += [
            f"{dimension}: {group}: {what} = {n}, pinned"
            for group, what, n in pinned_small_counts(
                category_of=category_of, groups=groups, shown=shown, k=k
            )
        ]
    return problems


def _by_caption(table):
    return "Gender" if table.caption.startswith("Gender") else "Ethnic"


# ------------------------------------------------------------------ workforce diversity
@pytest.fixture
def northgate(demo):
    return demo.organisations["northgate"]


def test_workforce_diversity_with_the_organisation_headcounts_isolates_no_small_group(
    demo, northgate, login
):
    """Leak (two-way tables): trust total minus the shown divisions gives a hidden cell, e.g.
    the Corporate women; checked for every table, row and column difference at once."""
    people = workforce(northgate, date.today())
    divisions = set(
        Unit.objects.filter(organisation=northgate, depth=0).values_list("path", flat=True)
    )

    def row_members(table, label):
        if label == northgate.name:
            return {p for p, v in people.items() if v["units"]}
        assert label in divisions, f"row {label!r} is neither a division nor the organisation"
        return {
            p
            for p, v in people.items()
            if any(u == label or u.startswith(label + "/") for u in v["units"])
        }

    page = login("sam").get(f"/org/{northgate.slug}/diversity/").content.decode()
    page_tables = tables(page)
    assert len(page_tables) >= 2
    figures, shown = table_figures(page_tables, people, row_members, "workforce diversity")
    org_page = login("admin").get(f"/org/{northgate.slug}/").content.decode()
    totals = headcounts_on_the_organisation_page(org_page, people, northgate)
    for caption in ("Gender", "Ethnic"):
        mine = [f for f in figures if f.id[1].startswith(caption)]
        assert mine, f"no {caption} table on the workforce diversity page"
        result = audit(
            figures=mine + totals,
            cell_of={p: p for p in people},
            values=dict.fromkeys(people, 1),
            k=northgate.min_responses,
        )
        wrong = [
            f"{f.id}: shows {f.n}, but counts {len(f.covers)} people"
            for f in totals
            if f.n != len(f.covers)
        ]
        assert not wrong, "headcounts that count someone else: " + "; ".join(wrong)
        assert not result.inconsistencies, f"{caption}:\n" + "\n".join(result.inconsistencies)
        # Who is given away: headcounts are category-blind, so the literal parts above (people
        # covered by the same figures, headcounts included) can be small where no combination
        # tells anyone's category: a division shown by its total only has its men split off from
        # another such division's men by the two headcounts alone. What a reader can pin is
        # solved for, with every figure read off the two pages and the groups those headcounts
        # name (the attacker knows who works where), for each group and category and its rest.
        # The parts the category figures make (people in the same rows showing categories and
        # covered by the same counts) hold 0 or at least k, as docs/anonymity-tables.md states.
        by_category = audit(
            figures=[f for f in mine if f.id[4] != TOTAL],
            cell_of={p: p for p in people},
            values=dict.fromkeys(people, 1),
            k=northgate.min_responses,
        )
        assert not by_category.violations, f"{caption}:\n" + by_category.explain(limit=20)
        groups = {f.id: set(f.covers) for f in totals}
        groups |= {("row", label): row_members(None, label) for label in {f.id[3] for f in mine}}
        category_of = {p: people[p][caption] for p in people}
        shown_counts = [
            Shown(
                f.id,
                frozenset(row_members(None, f.id[3])),
                frozenset(c for c in set(category_of.values()) if _column_holds(f.id[4], c)),
                f.n,
            )
            for f in mine
        ]
        pinned = pinned_small_counts(
            category_of=category_of, groups=groups, shown=shown_counts, k=northgate.min_responses
        )
        assert not pinned, f"{caption}:\n" + "\n".join(
            f"{g}: {what} = {n}, pinned" for g, what, n in pinned
        )


def test_workforce_diversity_pins_no_small_group_for_a_reader_who_knows_every_units_staff(
    demo, northgate, login
):
    """Leak (two-way tables): unit pages list their staff by name, so every unit's headcount is
    known; solving the shown counts with them must leave no small group's gender or ethnic
    group exact (e.g. the Corporate staff who are not women)."""
    people = {p: v for p, v in workforce(northgate, date.today()).items() if v["units"]}
    units = Unit.objects.filter(organisation=northgate).values_list("path", flat=True)
    groups = {
        ("unit", path): {
            p
            for p, v in people.items()
            if any(u == path or u.startswith(path + "/") for u in v["units"])
        }
        for path in units
    }
    groups[("unit", northgate.name)] = set(people)
    page = login("sam").get(f"/org/{northgate.slug}/diversity/").content.decode()

    def row_members(table, label):
        return groups[("unit", label)]

    problems = solved_disclosures(
        tables(page), people, row_members, groups, northgate.min_responses, _by_caption
    )
    assert not problems, "\n".join(problems)


def test_workforce_diversity_shows_no_percentage_of_a_hidden_or_small_total(demo, northgate, login):
    people = workforce(northgate, date.today())
    page = login("sam").get(f"/org/{northgate.slug}/diversity/").content.decode()
    _, shown = table_figures(
        tables(page), people, lambda t, label: set(people), "workforce diversity"
    )
    assert not percentage_problems(shown, northgate.min_responses)


# ------------------------------------------------------------------ pipeline diversity
def pipeline(org):
    """person id -> row scopes and categories of everyone in a pool of an active position; and
    pool title -> every candidate (the pool's depth, shown on the pools page)."""
    people, depth = {}, {}
    rows = PoolCandidate.objects.filter(
        pool__position__organisation=org, pool__position__active=True
    ).values_list(
        "person_id",
        "person__active",
        "pool__position__title",
        "pool__position__level__name",
        "pool__position__unit__path",
        "person__demographics__gender",
        "person__demographics__ethnicity",
    )
    for pid, active, title, level, path, g, e in rows:
        depth.setdefault(title, set()).add(pid)
        person = people.setdefault(
            pid,
            {
                "Gender": gender_label(g),
                "Ethnic": ethnic_label(e),
                "scopes": set(),
                "active": active,
            },
        )
        person["scopes"] |= {("Level", level), ("Division", path.split("/")[0]), ("Pool", title)}
    return people, depth


def test_pipeline_diversity_pins_no_small_group_for_a_reader_who_solves_for_hidden_cells(
    demo, northgate, login
):
    """Leak (two-way tables, pipeline): rows overlap (a candidate sits in a level, a division
    and several pools), so the reader solves every shown count and pool depth together for the
    suppressed cells; none may come out exact for a group of 1..k-1 candidates."""
    people, depth = pipeline(northgate)
    active = {p for p, v in people.items() if v["active"]}
    page = login("admin").get(f"/succession/{northgate.slug}/diversity/").content.decode()

    def row_members(table, label):
        kind = table.head[0]
        if kind == "Organisation":
            return set(active)
        return {p for p in active if (kind, label) in people[p]["scopes"]}

    groups = {("pool depth", title): members & active for title, members in depth.items()}
    for scope in {s for p in active for s in people[p]["scopes"]}:
        groups[scope] = {p for p in active if scope in people[p]["scopes"]}
    found = sections(page)
    dimension_of = {
        id(t): ("Gender" if caption.startswith("Gender") else "Ethnic")
        for caption, ts in found
        for t in ts
    }
    page_tables = [t for _, ts in found for t in ts]
    problems = solved_disclosures(
        page_tables,
        {p: people[p] for p in active},
        row_members,
        groups,
        northgate.min_responses,
        lambda table: dimension_of[id(table)],
    )
    assert not problems, "\n".join(problems)


def _column_holds(column, category):
    return in_column({"Gender": category, "Ethnic": category}, column)


def sections(page):
    """(heading, tables under it) for each h2 section of a page that holds tables."""
    out = []
    for part in page.split("<h2>")[1:]:
        found = tables(part)
        if found:
            out.append((part.split("</h2>")[0].strip(), found))
    assert out, "no tables found"
    return out


def test_pipeline_diversity_shows_no_percentage_of_a_hidden_total(demo, northgate, login):
    """Leak (percentages of hidden totals): 'Woman 10 (77%)' with the level's total suppressed
    gives the total (13) and the 3 who are not women."""
    people, _ = pipeline(northgate)
    page = login("admin").get(f"/succession/{northgate.slug}/diversity/").content.decode()
    _, shown = table_figures(
        tables(page), people, lambda t, label: set(people), "pipeline diversity"
    )
    problems = percentage_problems(shown, northgate.min_responses)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ pathway diversity
ASPIRING = "Aiming higher, not yet in a position"
WHOLE_PATHWAY = "Whole pathway"


def pathway_stages(org, day):
    """person id -> stage: the most senior level held today (appointments are public on the
    positions pages), else aiming higher by their latest career conversation."""
    held = {}
    for pid, level, rank in Appointment.objects.filter(
        position__organisation=org,
        start__lte=day,
        end__gte=day,
        ended_on__isnull=True,
        person__active=True,
    ).values_list("person_id", "position__level__name", "position__level__rank"):
        if pid not in held or rank > held[pid][1]:
            held[pid] = (level, rank)
    stage = {pid: level for pid, (level, _) in held.items()}
    latest = {}
    for plan in DevelopmentPlan.objects.filter(
        person__organisation=org, person__active=True
    ).order_by("person_id", "-conversation_on", "-id"):
        latest.setdefault(plan.person_id, plan)
    for pid, plan in latest.items():
        if pid not in stage and plan.aspiration == DevelopmentPlan.Aspiration.STEP_UP:
            stage[pid] = ASPIRING
    return stage


def test_pathway_diversity_pins_no_small_group_for_a_reader_who_knows_who_holds_each_level(
    demo, northgate, login
):
    """Leak (two-way tables, pathway): who holds each level is public, so a stage's size is
    known even where its total is suppressed; its shown count of women must not pin the rest."""
    stage = pathway_stages(northgate, date.today())
    people = {
        pid: {"Gender": gender_label(g), "Ethnic": ethnic_label(e)}
        for pid, g, e in Person.objects.filter(pk__in=stage).values_list(
            "pk", "demographics__gender", "demographics__ethnicity"
        )
    }
    groups = {label: {p for p, s in stage.items() if s == label} for label in set(stage.values())}
    groups[WHOLE_PATHWAY] = set(stage)
    page = login("sam").get(f"/development/{northgate.slug}/pathway/diversity/").content.decode()

    def row_members(table, label):
        return groups.get(label, set())

    page_tables = tables(page)
    problems = solved_disclosures(
        page_tables, people, row_members, groups, northgate.min_responses, _by_caption
    )
    problems += percentage_problems(
        table_figures(page_tables, people, row_members, "pathway diversity")[1],
        northgate.min_responses,
    )
    assert not problems, "\n".join(problems)
