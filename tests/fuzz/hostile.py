"""What a careless or hostile user types: hypothesis strategies, and the forms of a page."""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin

from hypothesis import strategies as st

# Values that broke something once, or could, by kind: each example takes one kind and puts
# its values in some of the form's fields (the others get one of their own valid choices).
KINDS = {
    "other scripts' digits": ["²", "١٢", "１２", "৩", "12²"],
    "control characters": ["\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "\r\n", "\t"],
    "formulas": ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)", "\t=1"],
    "huge numbers": [
        "9" * 30,
        str(2**63),
        str(2**31),
        "1e308",
        "-1e308",
        "inf",
        "nan",
        "1_000",
        "0x1F",
    ],
    "tiny numbers": ["0", "-1", "-0", "1e-320", "0.0000001"],
    "odd dates": [
        "0001-01-01",
        "9999-12-31",
        "2028-02-29",
        "2027-02-29",
        "2020-W01-1",
        "0000",
        "0000-00-00",
        "0001-01-01 00:00",
        "9999-12-31 23:59",
        "2026-13-45T25:61",
    ],
    "long text": ["x" * 300, "y" * 20_001, "z" * 200_000],
    "markup and paths": [
        "<script>x</script>",
        "../../etc/passwd",
        "' OR 1=1 --",
        "%s%s%n",
        "",
        " ",
    ],
}
NASTY = [v for values in KINDS.values() for v in values]
nasty = st.sampled_from(NASTY)
any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
dates = st.dates().map(lambda d: d.isoformat())
KIND_STRATEGIES = {kind: st.sampled_from(values) for kind, values in KINDS.items()} | {
    "anything": st.one_of(any_text, numbers, dates)
}


def value_for(field, kind):
    """A value for one form field: of the example's hostile kind, or one of its own choices."""
    hostile = KIND_STRATEGIES[kind]
    options = field.get("options", [])[:30]
    if not options:
        return hostile
    return st.one_of(hostile, hostile, st.sampled_from(options))


def table_cells(width):
    return st.lists(
        st.lists(st.one_of(nasty, any_text, numbers, dates), min_size=width, max_size=width),
        min_size=0,
        max_size=4,
    )


def csv_bytes(header, rows):
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def xlsx_bytes(header, rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in [header, *rows]:
        # A workbook cannot hold control characters at all: the uploader's Excel would refuse too.
        book.active.append(
            [v if v.isprintable() else v.encode("unicode_escape").decode() for v in row]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class FormFinder(HTMLParser):
    """Every <form> of a page: its method, action and fields (with the options a select offers)."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url, self.forms, self._form, self._select = page_url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": urljoin(self.page_url, attrs.get("action") or self.page_url),
                "fields": {},
                "files": set(),
                "enctype": attrs.get("enctype", ""),
            }
            self.forms.append(self._form)
        elif (
            self._form is not None
            and tag in ("input", "select", "textarea", "button")
            and attrs.get("name")
        ):
            name, kind = attrs["name"], attrs.get("type", tag)
            if name == "csrfmiddlewaretoken":
                return
            field = self._form["fields"].setdefault(name, {"kind": kind, "options": []})
            if kind == "file":
                self._form["files"].add(name)
            if attrs.get("value") is not None and kind in (
                "radio",
                "checkbox",
                "hidden",
                "submit",
                "button",
            ):
                field["options"].append(attrs["value"])
            if tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select["options"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
