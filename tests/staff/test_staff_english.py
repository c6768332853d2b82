"""The staff interface in English: the language switch of signed-in areas works (a form posting
to set_language, the choice kept in a cookie that reformtracker.locale reads there), public
pages still take their language from the address, and department names are English wherever
the data has an English name, through one helper (labels.department_name)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from evaluations import labels
from evaluations.models import PublishedResult
from tests.constants import OSAKA
from tests.personas import client_for

pytestmark = pytest.mark.django_db


def test_the_language_switch_of_a_staff_page_switches_it(world):
    client = client_for(world, "staff_a")
    page = client.get(reverse("staff:worklist")).content.decode()
    assert '<html lang="ja">' in page
    # The switch is a form to set_language that comes back to this page.
    assert f'action="{reverse("set_language")}"' in page
    assert '<input type="hidden" name="next" value="/staff/">' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(reverse("staff:worklist")).content.decode()
    assert '<html lang="en">' in english
    assert "My initiatives" in english
    entry = client.get(reverse("staff:entry", args=[world.entry_a.pk])).content.decode()
    assert '<html lang="en">' in entry and "end of FY2024" in entry

    # Public pages keep their address's language whatever the cookie says.
    assert '<html lang="ja">' in client.get("/").content.decode()

    client.post(reverse("set_language"), {"language": "ja", "next": "/staff/"})
    assert '<html lang="ja">' in client.get(reverse("staff:worklist")).content.decode()


def test_a_staff_page_ignores_the_browsers_language_until_one_is_chosen(world):
    client = client_for(world, "staff_a")
    page = client.get(reverse("staff:worklist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja">' in page.content.decode()


def test_department_names_are_english_in_english_staff_tables(world):
    world.dept_a.name_en = "Environment Bureau"
    world.dept_a.save()
    client = client_for(world, "staff_a")
    assert "環境局" in client.get(reverse("staff:worklist")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (reverse("staff:worklist"), reverse("staff:entry", args=[world.entry_a.pk])):
        page = client.get(url).content.decode()
        assert "Environment Bureau" in page and "<td>環境局</td>" not in page, url
    office = client_for(world, "office")
    office.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = office.get(reverse("staff:round", args=[world.round.pk])).content.decode()
    assert "<td>Environment Bureau</td>" in page
    # A department without an English name keeps its Japanese one.
    assert "<td>財政局</td>" in page


def test_the_pillar_pages_published_rows_name_departments_in_english(seeded):
    row = (
        PublishedResult.objects.filter(pillar__plan__slug=OSAKA, pillar__order=6)
        .exclude(department__name_en="")
        .select_related("department")
        .first()
    )
    assert row is not None, "the seed names its departments in English"
    from django.test import Client

    english = Client().get(f"/en/plans/{OSAKA}/pillars/6/").content.decode()
    japanese = Client().get(f"/plans/{OSAKA}/pillars/6/").content.decode()
    assert row.department.name_en in english
    assert row.department_name in japanese


def test_one_helper_names_a_department_or_a_published_row(world):
    world.dept_a.name_en = "Environment Bureau"
    published = PublishedResult(department_name="環境局（当時）")
    published.department_name_en = "Environment Bureau"
    with translation.override("ja"):
        assert labels.department_name(world.dept_a) == "環境局"
        assert labels.department_name(published) == "環境局（当時）"
    with translation.override("en"):
        assert labels.department_name(world.dept_a) == "Environment Bureau"
        assert labels.department_name(published) == "Environment Bureau"
        assert labels.department_name(world.dept_b) == "財政局"
        assert labels.department_name(None) == ""
