"""The positions register: search by title, unit or holder, sort, and the same list in Excel."""

import io
from datetime import date

import openpyxl
from django.urls import reverse

from clinlead.org.models import Appointment, Organisation, Position
from clinlead.org.selectors import positions_register
from tests.factories import user

URL = reverse("org:positions", kwargs={"slug": "northgate"})
XLSX = reverse("org:positions_xlsx", kwargs={"slug": "northgate"})


def northgate():
    return Organisation.objects.get(slug="northgate")


def test_searching_a_holders_name_finds_the_positions_they_hold(demo):
    alice = user("alice").person
    held = set(Appointment.objects.held_on(date.today()).filter(person=alice)
               .values_list("position__title", flat=True))
    found = positions_register(organisation=northgate(), day=date.today(), query=alice.last_name)
    assert held and held <= {p.title for p in found}


def test_searching_words_of_a_title_finds_only_matching_positions(demo, login):
    page = login("bob").get(URL, {"q": "cardiology director"}).content.decode()
    titles = set(Position.objects.filter(organisation=northgate(), active=True,
                                         title__icontains="cardiology")
                 .filter(title__icontains="director").values_list("title", flat=True))
    assert titles and all(title in page for title in titles)
    assert "Respiratory Medicine" not in page


def test_sorting_by_title_puts_titles_in_alphabetical_order(demo):
    found = [p.title for p in positions_register(organisation=northgate(), day=date.today(), sort="title")]
    assert found == sorted(found)


def test_sorting_by_term_end_puts_the_soonest_first_and_vacancies_last(demo):
    found = list(positions_register(organisation=northgate(), day=date.today(), sort="term_end"))
    ends = [p.term_ends for p in found]
    dated = [e for e in ends if e is not None]
    assert dated == sorted(dated) and ends[:len(dated)] == dated


def test_the_excel_export_holds_the_searched_list(demo, login):
    response = login("bob").get(XLSX, {"q": "cardiology", "sort": "title"})
    assert response["Content-Disposition"] == 'attachment; filename="clinlead-positions-northgate.xlsx"'
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content))["Positions"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Position", "Level", "Unit")
    titles = [r[0] for r in rows[1:]]
    expected = [p.title for p in positions_register(organisation=northgate(), day=date.today(),
                                                    query="cardiology", sort="title")]
    assert titles == expected and titles


def test_the_page_offers_the_export_of_what_it_shows(demo, login):
    page = login("bob").get(URL, {"q": "cardiology"}).content.decode()
    assert f'href="{XLSX}?q=cardiology"' in page
