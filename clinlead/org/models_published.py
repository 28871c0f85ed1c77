"""Category tables as they were shown (gender, ethnic group by division, level, pool): what
`clinlead.org.published_tables` decides a new table against. Kept in the database, not the
cache, so that clearing the cache or adding a server forgets nothing shown.

A record holds the figures shown (every page showed them) and, for the people counted, only
the rows (units, levels, pools) each sat in: never a category, and never who a class's figure
counted (that list would be the category). Why that stores nothing about anyone's category
beyond the published figures: docs/anonymity-tables.md, "Where the history is kept".
"""

from django.db import models


class PublishedTable(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)  # "gender", "ethnicity": tables of one are read together
    kind = models.CharField(max_length=20)  # "workforce", "pipeline": which page shows it
    k = models.PositiveSmallIntegerField()  # the threshold it was decided at
    day = models.DateField()  # shown as "figures as published on <day>" while it stays up
    # [[row key, label, total, level or null, why, [[class, [categories], count, percent], ...]], ...]
    figures = models.JSONField()
    # [[[row index, ...], [person id, ...]], ...]: the people who sat in exactly those rows
    counted = models.JSONField()
    # A digest of the table worked out from the day's data that this one was decided from: while
    # the day's data gives the same, the decision stands and is not made again.
    decided_from = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["organisation", "dimension", "k", "kind"], name="published_table_lookup")]
        default_permissions = ()

    def __str__(self):
        return f"{self.kind} {self.dimension} table of {self.day}"
