"""Reading figures off the product's pages as a visitor sees them: tables and visible text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

COUNT = re.compile(r"^(?P<n>\d[\d,]*)(?:\s*\((?P<pct>\d+(?:\.\d+)?)\s*%\))?$")


@dataclass
class Table:
    caption: str = ""
    head: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [label, cell text, ...]
    spans: list = field(default_factory=list)  # per row, each cell's colspan

    def spanned(self, index):
        """(columns, text) for each cell of body row `index` after its label: the header columns
        the cell sits under. A pooled class is one cell spanning several columns (colspan), so
        cells are placed by their spans, never paired with the header one by one."""
        position, out = 1, []
        for text, span in zip(self.rows[index][1:], self.spans[index][1:], strict=False):
            out.append((tuple(self.head[position : position + span]), text))
            position += span
        return out

    def cells(self):
        """(row label, columns, count or None, percent or None, text) for every body cell; a
        cell under one column names it alone, a cell spanning several names them all."""
        for i, row in enumerate(self.rows):
            for columns, text in self.spanned(i):
                m = COUNT.match(text)
                count = int(m["n"].replace(",", "")) if m else None
                pct = float(m["pct"]) if m and m["pct"] else None
                yield row[0], columns[0] if len(columns) == 1 else columns, count, pct, text


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.text = [], []
        self._table = self._row = self._cell = self._spans = None
        self._in_caption = self._in_head = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        elif tag == "table":
            self._table = Table()
        elif self._table is not None:
            if tag == "caption":
                self._in_caption = True
            elif tag == "thead":
                self._in_head = True
            elif tag == "tr":
                self._row, self._spans = [], []
            elif tag in ("td", "th"):
                self._cell = []
                span = dict(attrs).get("colspan") or "1"
                self._spans.append(int(span) if span.isdigit() else 1)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip -= 1
        elif self._table is None:
            return
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self._table.head = self._row
            else:
                self._table.rows.append(self._row)
                self._table.spans.append(self._spans)
            self._row = self._spans = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._table is not None:
            if self._in_caption:
                self._table.caption += data.strip()
            elif self._cell is not None:
                self._cell.append(data)


def tables(html: str) -> list[Table]:
    parser = _Parser()
    parser.feed(html)
    return parser.tables


def visible_text(html: str) -> str:
    parser = _Parser()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())
