"""Reading category tables back from a page, as a viewer sees them, and checking them against
the people they count: the part check of docs/anonymity-tables.md, written apart from
clinlead.analytics.disclosure_tables.

A page's table is read as its columns (the header, without "Total") and, per row, the label and
every cell showing a number: the columns it spans (a pooled class spans several) and its count.
A cell without a number (hidden, or a row shown by its total only) is no figure.
"""

import re
from collections import Counter
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.row, self.in_head = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "columns": [], "rows": []})
        elif tag == "caption":
            self.cell = {"caption": True, "text": ""}
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head and self.tables:
            self.row = {"label": None, "cells": []}
        elif tag in ("th", "td") and self.tables:
            self.cell = {"tag": tag, "span": int(attrs.get("colspan", 1)), "text": "",
                         "header": tag == "th" and attrs.get("scope") == "row"}

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag):
        if tag == "caption" and self.cell:
            self.tables[-1]["caption"] = self.cell["text"].strip()
            self.cell = None
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.cell is not None:
            cell, self.cell = self.cell, None
            if self.in_head:
                self.tables[-1]["columns"].append(cell["text"].strip())
            elif self.row is not None:
                if cell["header"]:
                    self.row["label"] = cell["text"].strip()
                else:
                    self.row["cells"].append(cell)
        elif tag == "tr" and self.row is not None:
            if self.row["label"] is not None:
                self.tables[-1]["rows"].append(self.row)
            self.row = None


def read_tables(html):
    """[{caption, columns (finest categories),
         rows: [(label, [(frozenset(categories), count)], total or None, shows a percentage)]}]"""
    parser = _Tables()
    parser.feed(html)
    out = []
    for table in parser.tables:
        header = table["columns"][1:]  # the first is the row heading
        if not header or header[-1] != "Total":
            continue
        rows = []
        for row in table["rows"]:
            position, figures, total, percent = 0, [], None, False
            for cell in row["cells"]:
                columns = header[position:position + cell["span"]]
                position += cell["span"]
                number = re.search(r"(?<![\d(])(\d+)(?![\d%])", cell["text"].replace(",", ""))
                if columns == ["Total"]:
                    total = int(number.group(1)) if number else None
                elif number and "suppressed" not in cell["text"]:
                    figures.append((frozenset(columns), int(number.group(1))))
                    percent = percent or "%" in cell["text"]
            rows.append((row["label"], figures, total, percent))
        out.append({"caption": table["caption"], "columns": header[:-1], "rows": rows})
    return out


def parts(people, figures):
    """Category parts: people grouped by the rows showing categories they sit in and the
    figures covering them; headcounts alone never tell people apart (they are category-blind).
    `people`: Counter of (category, frozenset(scopes)); `figures`: [(scope, categories)]."""
    showing = {label for label, _ in figures}
    groups = Counter()
    for (category, scopes), n in people.items():
        inside = frozenset(showing & scopes)
        if n and inside:
            covered = frozenset(
                i for i, (label, cats) in enumerate(figures) if label in scopes and category in cats
            )
            groups[(inside, covered)] += n
    return groups


def small_parts(*, people, tables, k):
    """Category parts of 1..k-1 people. `tables`: read_tables output for ONE statistic (all
    rows over the same people), rows labelled as the scopes in `people`."""
    figures = [
        (label, cats)
        for table in tables
        for label, cells, _, _ in table["rows"]
        for cats, _ in cells
    ]
    return {key: n for key, n in parts(people, figures).items() if 0 < n < k}


def wrong_counts(*, people, tables):
    """Figures that do not match the people they count (a test of the reading, too)."""
    wrong = []
    for table in tables:
        for label, cells, _, _ in table["rows"]:
            for cats, n in cells:
                true = sum(m for (c, scopes), m in people.items() if label in scopes and c in cats)
                if true != n:
                    wrong.append((label, sorted(cats), n, true))
    return wrong


def percentages_without_their_total(tables):
    """Rows showing a percentage while their total (the denominator) is not shown."""
    return [
        label
        for table in tables
        for label, _, total, percent in table["rows"]
        if percent and total is None
    ]
