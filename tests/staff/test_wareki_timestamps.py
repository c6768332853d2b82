"""和暦 everywhere in Japanese, timestamps included (令和7年11月26日 10:09), through
reformtracker.calendar_ja and reformtracker.display; English keeps ISO (2026-11-26 10:09).

Each page type is rendered in Japanese after a day of work (saves, a submission, a publication,
history rows) and must hold no Western ``20xx-xx-xx hh:mm`` timestamp; the PDF's HTML too."""

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from evaluations import services
from evaluations.reports import pdf
from reformtracker import calendar_ja, display
from tests.constants import OSAKA, PUBLIC_PAGES
from tests.personas import client_for, move

pytestmark = pytest.mark.django_db

WESTERN_TIMESTAMP = re.compile(r"(?:19|20)\d\d-\d\d-\d\d[ T]\d\d:\d\d")


def western_timestamps(page: str) -> list[str]:
    """The Western timestamps a reader sees: the text, not the markup (a <time datetime="…">
    attribute is ISO on purpose, for machines)."""
    return WESTERN_TIMESTAMP.findall(re.sub(r"<[^>]*>", " ", page))


def test_a_timestamp_is_wareki_with_its_time_in_japanese_and_iso_in_english():
    moment = timezone.make_aware(datetime(2026, 11, 26, 10, 9))
    assert calendar_ja.format_datetime_ja(moment) == "令和8年11月26日 10:09"
    with translation.override("ja"):
        assert display.wareki_datetime(moment) == "令和8年11月26日 10:09"
        assert display.wareki_datetime(timezone.make_aware(datetime(2019, 5, 1, 0, 0))) == (
            "令和元年5月1日 00:00"
        )
    with translation.override("en"):
        assert display.wareki_datetime(moment) == "2026-11-26 10:09"
    # Stored in UTC, shown in the site's zone (Asia/Tokyo).
    utc = datetime(2026, 11, 26, 1, 9, tzinfo=timezone.UTC)
    with translation.override("ja"):
        assert display.wareki_datetime(utc) == "令和8年11月26日 10:09"


def test_no_staff_page_shows_a_western_timestamp_in_japanese(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")
    services.publish_round(user=world.users["office"], round_id=world.round.pk)
    staff = client_for(world, "staff_a")
    office = client_for(world, "office")
    pages = [
        (staff, reverse("staff:worklist")),
        (staff, reverse("staff:entry", args=[world.entry_a.pk])),
        (staff, reverse("reports:import")),
        (office, reverse("staff:rounds")),
        (office, reverse("staff:round", args=[world.round.pk])),
        (office, reverse("reports:office")),
        (office, world.initiative_a.get_absolute_url()),
    ]
    found = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        if hits := western_timestamps(page):
            found[url] = hits
    assert found == {}
    # And the 和暦 timestamps are there: the history's and the publication's.
    entry = staff.get(reverse("staff:entry", args=[world.entry_a.pk])).content.decode()
    assert re.search(r"令和\d+年\d+月\d+日 \d\d:\d\d", entry)
    round_page = office.get(reverse("staff:round", args=[world.round.pk])).content.decode()
    assert re.search(r"公表：令和\d+年\d+月\d+日 \d\d:\d\d", round_page)


def test_no_public_page_nor_the_report_shows_a_western_timestamp_in_japanese(seeded):
    client = Client()
    for path in PUBLIC_PAGES:
        page = client.get(path).content.decode()
        assert western_timestamps(page) == [], path
    with translation.override("ja"):
        html = pdf.render_html(pdf.build_context(seeded_plan(), 2024))
    assert western_timestamps(html) == []
    assert "令和7年9月16日" in html


def seeded_plan():
    from initiatives.models import Plan

    return Plan.objects.get(slug=OSAKA)
