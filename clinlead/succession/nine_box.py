"""The 9-box: the people in an organisation's succession pools placed by how they lead (their
leader-index band, shrunk toward the organisation: clinlead.analytics.shrinkage) against how soon
they are ready (their readiness in the pools they sit in).

Rows, readiest first; columns, by the published band (quarters 0 bottom .. 3 top): lower = bottom
quarter, middle = the two middle quarters, higher = top quarter. A person whose band's interval
reaches another column is marked, so a place on the grid is never read as more certain than it
is. People without a band (no published index, or too few responses for one) are listed apart,
not guessed.
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.selectors import band_in_words
from clinlead.succession.models import PoolCandidate, Readiness

ROWS = [
    ("ready_now", "Ready now", {Readiness.READY_NOW}),
    ("soon", "Ready in 1–2 years", {Readiness.ONE_TO_TWO_YEARS}),
    ("later", "Ready in 3 years or more", {Readiness.THREE_TO_FIVE_YEARS, Readiness.FIVE_YEARS_PLUS}),
]
COLUMNS = [("lower", "Leader index: lower quarter", {0}),
           ("middle", "Leader index: middle half", {1, 2}),
           ("higher", "Leader index: top quarter", {3})]
READINESS_ORDER = [Readiness.READY_NOW, Readiness.ONE_TO_TWO_YEARS, Readiness.THREE_TO_FIVE_YEARS,
                   Readiness.FIVE_YEARS_PLUS]


@dataclass
class Placed:
    person: object
    readiness: str
    band_words: str
    uncertain: bool = False


@dataclass
class Grid:
    rows: list = field(default_factory=list)  # [(label, [(column label, [Placed])])]
    without_band: list = field(default_factory=list)  # [Placed]

    @property
    def placed(self):
        return sum(len(people) for _, cells in self.rows for _, people in cells)


def _column(band):
    return next((i for i, (_, _, bands) in enumerate(COLUMNS) if band in bands), None)


def _latest(field):
    return Subquery(LeaderResult.objects.filter(leader=OuterRef("person_id"), cycle__status="published")
                    .order_by("-cycle__opens_on").values(field)[:1])


def nine_box(*, organisation, division=None) -> Grid:
    """Everyone in the organisation's pools (each once, at their readiest), placed on the grid."""
    candidates = (PoolCandidate.objects
                  .filter(pool__position__organisation=organisation, person__active=True)
                  .select_related("person", "standing")
                  .annotate(band=_latest("band"), band_low=_latest("band_low"),
                            band_high=_latest("band_high"), responses=_latest("responses"),
                            has_index=_latest("index")))
    if division is not None:
        candidates = candidates.filter(pool__position__unit__in=division.subtree())
    readiest = {}
    for entry in candidates:
        level = entry.standing.level
        kept = readiest.get(entry.person_id)
        if kept is None or READINESS_ORDER.index(level) < READINESS_ORDER.index(kept.standing.level):
            readiest[entry.person_id] = entry
    cells = {(r, c): [] for r in range(len(ROWS)) for c in range(len(COLUMNS))}
    grid = Grid()
    for entry in sorted(readiest.values(), key=lambda e: (e.person.last_name, e.person.first_name)):
        row = next(i for i, (_, _, levels) in enumerate(ROWS) if entry.standing.level in levels)
        words = ("no published leader index" if entry.has_index is None else
                 band_in_words(band=entry.band, band_low=entry.band_low, band_high=entry.band_high,
                               responses=entry.responses))
        placed = Placed(person=entry.person, readiness=entry.standing.get_level_display(), band_words=words)
        column = None if entry.has_index is None or entry.band is None else _column(entry.band)
        if column is None:
            grid.without_band.append(placed)
            continue
        placed.uncertain = (entry.band_low is not None and entry.band_high is not None
                            and {_column(entry.band_low), _column(entry.band_high)} != {column})
        cells[(row, column)].append(placed)
    grid.rows = [(label, [(COLUMNS[c][1], cells[(r, c)]) for c in range(len(COLUMNS))])
                 for r, (_, label, _) in enumerate(ROWS)]
    return grid
