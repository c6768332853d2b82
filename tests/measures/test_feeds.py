"""Following a plan: Atom feeds for the site, each plan and each initiative — valid Atom (read
with the parser feed readers use, and checked against RFC 4287's required elements), linked
from the pages they follow."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import services
from evaluations.choices import EntryState, Result
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import (
    make_initiative,
    make_plan,
    make_published_round,
    reopen_for_correction,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

FEEDS = [
    "/feed/",
    "/atom.xml",
    f"/plans/{OSAKA}/feed/",
    f"/plans/{KITAKYUSHU}/feed/",
    f"/plans/{OSAKA}/initiatives/2-1/feed/",
    "/en/feed/",
]


def _assert_valid_atom(body: bytes) -> ET.Element:
    """RFC 4287's musts for a feed and its entries, and a clean parse by feedparser."""
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert RFC3339.match(root.findtext(f"{ATOM}updated"))
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), name
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert feed_author or entry.find(f"{ATOM}author") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), "entry ids are unique"
    assert all(i.startswith("tag:") for i in ids)
    return root


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    _assert_valid_atom(response.content)


def test_the_plan_feed_announces_osakas_publication_with_its_figures(client, seeded):
    parsed = feedparser.parse(client.get(f"/plans/{OSAKA}/feed/").content)
    entry = parsed.entries[0]
    assert entry.title == "新・市政改革プラン：令和6年度末時点の結果を公表しました"
    assert "達成19項目 / 評価対象23項目" in entry.summary
    assert "約82.6%" in entry.summary
    assert entry.link.endswith(f"/plans/{OSAKA}/")
    assert [t.term for t in entry.tags] == ["publication"]


def test_kitakyushus_feed_lists_the_meetings_held_and_no_headline(client, seeded):
    parsed = feedparser.parse(client.get(f"/plans/{KITAKYUSHU}/feed/").content)
    held = [e for e in parsed.entries if e.tags[0].term == "meeting_held"]
    assert held and all("X会議" in e.title and "開催しました" in e.title for e in held)
    assert not any("%" in e.summary for e in parsed.entries)


def test_a_republished_round_shows_as_a_correction_saying_what_it_now_holds(client, db):
    plan = make_plan()
    first = make_published_round(
        plan,
        [Result.ACHIEVED, Result.NOT_ACHIEVED],
        published_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    reopen_for_correction(first.round)
    entry = first.round.entries.get(result=Result.NOT_ACHIEVED)
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": Result.ACHIEVED, "reason": ""},
        state=EntryState.CONFIRMED,
        actor_name="test",
    )
    services.publish_round_as_system(
        round_=first.round, actor_name="test", published_at=datetime(2025, 10, 1, tzinfo=UTC)
    )
    parsed = feedparser.parse(client.get(f"/plans/{plan.slug}/feed/").content)
    assert [e.tags[0].term for e in parsed.entries] == ["correction", "publication"]
    assert "訂正しました" in parsed.entries[0].title
    assert "達成2項目 / 評価対象2項目" in parsed.entries[0].summary
    assert "達成1項目 / 評価対象2項目" in parsed.entries[1].summary
    initiative = entry.initiative
    mine = feedparser.parse(
        client.get(f"/plans/{plan.slug}/initiatives/{initiative.code}/feed/").content
    )
    assert [e.summary for e in mine.entries] == ["達成", "未達成"]
    assert "（訂正）" in mine.entries[0].title


def test_pages_link_the_feeds_that_follow_them(client, seeded):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed/"' in home
    plan = client.get(f"/plans/{OSAKA}/").content.decode()
    assert f'href="/plans/{OSAKA}/feed/"' in plan
    item = client.get(f"/plans/{OSAKA}/initiatives/2-1/").content.decode()
    assert f'href="/plans/{OSAKA}/initiatives/2-1/feed/"' in item


def test_a_feed_costs_the_same_queries_however_many_publications(client, db):
    plan = make_plan()

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/{plan.slug}/feed/").status_code == 200
        return len(ctx.captured_queries)

    item = make_initiative(plan)
    make_published_round(plan, {item: Result.ACHIEVED}, fiscal_year=2024)
    one = queries()
    for year in (2025, 2026, 2027):
        make_published_round(plan, {item: Result.ACHIEVED}, fiscal_year=year)
    assert queries() == one <= 6


def test_an_unknown_plan_has_no_feed(client, seeded):
    assert client.get("/plans/no-such-plan/feed/").status_code == 404


def test_the_english_feed_speaks_english(client, seeded):
    parsed = feedparser.parse(client.get("/en/feed/").content)
    assert parsed.feed.title == "Municipal reform progress: publications and meetings"
    titles = [e.title for e in parsed.entries]
    assert any(t.endswith("results at end of FY2024 published") for t in titles)
    assert any("X meeting no." in t and t.endswith(" held") for t in titles)


def test_a_meeting_the_office_adds_is_announced_when_it_was_added(client, seeded):
    from django.utils import timezone

    from evaluations import masterdata
    from initiatives.models import Plan
    from xmeetings.models import Meeting

    plan = Plan.objects.get(slug=KITAKYUSHU)
    meeting = Meeting(
        plan=plan, fiscal_year=2027, number=1, date_year=2027, date_month=7, date_part="early"
    )
    masterdata.save(meeting, actor_name="test")
    parsed = feedparser.parse(client.get(f"/plans/{KITAKYUSHU}/feed/").content)
    [added] = [e for e in parsed.entries if e.tags[0].term == "meeting_added"]
    assert added.title.endswith("第1回X会議（7月上旬）の予定を掲載しました")
    added_at = datetime(*added.updated_parsed[:6], tzinfo=UTC)
    assert abs((timezone.now() - added_at).total_seconds()) < 120
    # A seed meeting, which no office added through the site, has no such entry.
    assert all(
        "meeting/" + str(meeting.pk) in e.id
        for e in parsed.entries
        if e.tags[0].term == "meeting_added"
    )


def test_the_feeds_prepared_meeting_reads_give_what_the_orm_gives(client, seeded):
    """The held and added meetings a feed reads by prepared SQL (evaluations.feeds) are the
    meetings, in the order and with the plans, that the plain ORM queries give: for the site,
    a plan and an initiative, with one meeting added by the office and one held today."""
    from django.db.models import Q
    from django.utils import timezone

    from evaluations import feeds, masterdata
    from evaluations.choices import HistoryAction
    from evaluations.models import HistoryEvent
    from initiatives.models import Initiative, Plan
    from xmeetings.models import Meeting

    plan = Plan.objects.get(slug=KITAKYUSHU)
    item = Initiative.objects.filter(plan=plan).first()
    added = Meeting(
        plan=plan, fiscal_year=2027, number=9, date_year=2027, date_month=7, date_part="early"
    )
    masterdata.save(added, actor_name="test")
    added.initiatives.add(item)
    Meeting.objects.filter(plan=plan).exclude(pk=added.pk).first().initiatives.add(item)
    today = timezone.localdate()

    def held(**where):
        return list(
            Meeting.objects.select_related("plan")
            .filter(Q(status=Meeting.Status.HELD) | Q(status="scheduled", latest__lt=today))
            .filter(**where)
            .order_by("-latest", "-number", "-pk")[: feeds.FEED_ENTRIES]
        )

    def listed(**where):
        events = HistoryEvent.objects.filter(
            action=HistoryAction.MEETING_CREATE,
            subject_type=Meeting._meta.label_lower,
            subject_id__in=Meeting.objects.filter(**where).values("pk"),
        ).order_by("-at", "-pk")[: feeds.FEED_ENTRIES]
        return [(Meeting.objects.get(pk=e.subject_id), e.at) for e in events]

    def shown(meetings):
        return [(m.pk, m.plan.pk, m.plan.title, m.latest) for m in meetings]

    for prepared, where in (({}, {}), ({"plan": plan}, {"plan": plan})):
        assert shown(feeds.held_meetings(**prepared)) == shown(held(**where))
    assert shown(feeds.held_meetings(initiative=item)) == shown(held(initiatives=item))
    assert feeds.held_meetings(initiative=item)  # the linked seed meeting is held
    for prepared, where in (
        ({}, {}),
        ({"plan": plan}, {"plan": plan}),
        ({"initiative": item}, {"initiatives": item}),
    ):
        got = feeds.meetings_added(**prepared)
        assert [(m.pk, m.plan.title, at) for m, at in got] == [
            (m.pk, m.plan.title, at) for m, at in listed(**where)
        ]
        assert [m.pk for m, _at in got] == [added.pk]
