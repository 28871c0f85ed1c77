"""Which pooled 360 means are shown on one dimension, and how (no Django: plain data in).

A mean says nothing certain about any one rater except at the ends of the scale: a peer mean of
4.0 on a 1–4 scale says every peer gave 4. So, on each dimension:

- a pooled mean within half a point of either end of the scale is shown as a band ("3.5 or
  above", "1.5 or below"), never exactly — whether or not the raters were unanimous, so the band
  itself gives nothing away;
- where more than one group is published (peers, direct reports and all raters) and any of
  their means falls in such a band, only "all raters" is shown on that dimension, since exact
  means of a whole and one part would give the other part's mean by subtraction.

Groups the suppression rule does not publish are never shown (None).
"""

from statistics import fmean

BAND = 0.5


def band_text(mean: float, top: int) -> str | None:
    """The band a mean near an end of a 1..top scale is shown as, or None to show it exactly."""
    if mean >= top - BAND:
        return f"{top - BAND:g} or above"
    if mean <= 1 + BAND:
        return f"{1 + BAND:g} or below"
    return None


def dimension_figures(*, scores_by_group: dict, published: set, whole: str, top: int) -> dict:
    """{group: {"mean": float or None, "text": str}} for the published groups, None for the rest.

    `scores_by_group` maps each pooled group (the atoms and `whole`, their union) to its scores
    on this dimension; `published` is what the suppression rule publishes; `whole` is the union.
    """
    means = {g: fmean(scores_by_group[g]) for g in published if scores_by_group.get(g)}
    shown = set(means)
    if len(shown) > 1 and any(band_text(m, top) for m in means.values()):
        shown &= {whole}
    figures = {}
    for group in scores_by_group:
        if group not in shown:
            figures[group] = None
            continue
        band = band_text(means[group], top)
        exact = round(means[group], 1)
        figures[group] = {"mean": None if band else exact, "text": band or f"{exact:.1f}"}
    return figures
