"""The succession chart drawn as an organisation chart: a box for each unit holding key
positions, lines from each unit to the units inside it.

Laid out top-down, as organisation charts are read, except that units whose own units hold no
more below them are stacked in a column under their parent: a trust's wards side by side would
make the chart thousands of pixels wide, too wide for a screen or a sheet of paper.

Plain Python: `layout` takes boxes with their lines of text and returns positions and connectors,
which the template draws as SVG (the page and the PDF draw the same chart).
"""

from dataclasses import dataclass, field

BOX_WIDTH = 250
LINE_HEIGHT = 16
PADDING = 8
COLUMN_INDENT = 24  # a stacked column's boxes sit this far right of their rail
GAP = 12  # between boxes in a stacked column
ROW_GAP = 36  # between a box and the row of boxes under it
SIBLING_GAP = 24  # between side-by-side subtrees
CHARACTERS_A_LINE = 34  # of 14 px text in a box 250 px wide


@dataclass
class Line:
    text: str
    style: str = ""  # "heading", "title", "risk-high" … (a CSS class in the template)


@dataclass
class Box:
    lines: list[Line]
    children: list["Box"] = field(default_factory=list)
    x: float = 0
    y: float = 0

    @property
    def height(self) -> float:
        return 2 * PADDING + LINE_HEIGHT * len(self.lines)

    @property
    def placed_lines(self) -> list[tuple[float, Line]]:
        """Each line with its baseline, from the box's top."""
        return [(PADDING + LINE_HEIGHT * (i + 1) - 4, line) for i, line in enumerate(self.lines)]


@dataclass
class Connector:
    points: list[tuple[float, float]]


@dataclass
class Drawing:
    boxes: list[Box]
    connectors: list[Connector]
    width: float
    height: float


def wrap(text: str, *, width: int = CHARACTERS_A_LINE) -> list[str]:
    """Words onto lines of at most `width` characters (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _stacks(box: Box) -> bool:
    return bool(box.children) and all(not child.children for child in box.children)


def _size(box: Box) -> tuple[float, float]:
    """The width and height of the box with everything under it."""
    if not box.children:
        return BOX_WIDTH, box.height
    if _stacks(box):
        column = sum(child.height + GAP for child in box.children)
        return BOX_WIDTH + COLUMN_INDENT, box.height + GAP + column
    sizes = [_size(child) for child in box.children]
    width = sum(w for w, _ in sizes) + SIBLING_GAP * (len(sizes) - 1)
    return max(BOX_WIDTH, width), box.height + ROW_GAP + max(h for _, h in sizes)


def _place(box: Box, left: float, top: float, drawing: Drawing) -> None:
    width, _ = _size(box)
    drawing.boxes.append(box)
    box.y = top
    if not box.children:
        box.x = left
        return
    if _stacks(box):
        box.x = left
        rail_x = left + COLUMN_INDENT / 2
        y = top + box.height + GAP
        for child in box.children:
            _place(child, left + COLUMN_INDENT, y, drawing)
            drawing.connectors.append(Connector([(rail_x, top + box.height),
                                                 (rail_x, y + child.height / 2),
                                                 (left + COLUMN_INDENT, y + child.height / 2)]))
            y += child.height + GAP
        return
    box.x = left + (width - BOX_WIDTH) / 2
    children_width = sum(_size(child)[0] for child in box.children) + SIBLING_GAP * (len(box.children) - 1)
    x = left + (width - children_width) / 2
    row_top = top + box.height + ROW_GAP
    bar_y = top + box.height + ROW_GAP / 2
    for child in box.children:
        child_width, _ = _size(child)
        _place(child, x, row_top, drawing)
        child_top_x = child.x + BOX_WIDTH / 2
        drawing.connectors.append(Connector([(box.x + BOX_WIDTH / 2, top + box.height),
                                             (box.x + BOX_WIDTH / 2, bar_y),
                                             (child_top_x, bar_y), (child_top_x, row_top)]))
        x += child_width + SIBLING_GAP


def layout(roots: list[Box]) -> Drawing:
    """Positions for every box and the lines between them; several roots side by side."""
    drawing = Drawing(boxes=[], connectors=[], width=0, height=0)
    x = 0.0
    for root in roots:
        width, height = _size(root)
        _place(root, x, 0, drawing)
        x += width + SIBLING_GAP
        drawing.height = max(drawing.height, height)
    drawing.width = max(0.0, x - SIBLING_GAP)
    return drawing
