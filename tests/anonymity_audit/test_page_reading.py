"""The auditor reads a table as a visitor sees it: a cell sits under the columns it spans."""

from tests.anonymity_audit.pages import tables

POOLED = """<table><caption>Gender</caption>
<thead><tr><th>Division</th><th>Woman</th><th>Man</th><th>Another gender or not stated</th>
<th>Total</th></tr></thead>
<tbody><tr><th>Trust</th><td>96 (79%)</td>
<td colspan="2">Man, another gender or not stated: 26 (21%)</td><td>122</td></tr>
<tr><th>Corporate</th><td colspan="3">Counted by category only in larger groups</td><td>14</td></tr>
</tbody></table>"""


def test_a_pooled_cell_is_read_under_every_column_it_spans_and_the_total_stays_the_total():
    (table,) = tables(POOLED)
    assert table.spanned(0) == [
        (("Woman",), "96 (79%)"),
        (("Man", "Another gender or not stated"), "Man, another gender or not stated: 26 (21%)"),
        (("Total",), "122"),
    ]
    assert table.spanned(1) == [
        (("Woman", "Man", "Another gender or not stated"),
         "Counted by category only in larger groups"),
        (("Total",), "14"),
    ]
    cells = list(table.cells())
    assert cells[0][1:4] == ("Woman", 96, 79.0)
    assert cells[1][1] == ("Man", "Another gender or not stated")
    assert cells[2][1:3] == ("Total", 122)
