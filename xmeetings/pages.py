"""What the X会議 pages and the schedule grid show, for their HTML views and their JSON alike.

Meetings are live rows (not published in rounds), and "held or upcoming" is relative to today.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from initiatives.models import Initiative, Municipality, Pillar, Plan
from reformtracker import memos
from reformtracker.db_routers import read_connection
from reformtracker.page_memo import digest
from xmeetings.models import (
    Meeting,
    MeetingMaterial,
    MeetingTopic,
    Schedule,
    ScheduleActivity,
    ScheduleLane,
)


def _raw(model, where: str, params=()) -> list[tuple]:
    """Every column of ``model``'s rows ``where`` says, by id, as the database gives them: what
    a page's digest is made of, read without the ORM building SQL. ``where`` names tables by
    ``{Model}`` and columns as stored."""
    connection = read_connection()
    tables = _tables.get(connection.vendor)
    if tables is None:
        q = connection.ops.quote_name
        tables = {m.__name__: q(m._meta.db_table) for m in _MODELS}
        tables["Link"] = q(Meeting.initiatives.through._meta.db_table)
        _tables[connection.vendor] = tables
    sql = f"SELECT * FROM {tables[model.__name__]} WHERE {where.format(**tables)} ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The quoted table names ``_raw`` writes, per database vendor.
_tables: dict = memos.store()

_MODELS = (
    Plan,
    Initiative,
    Municipality,
    Pillar,
    Meeting,
    MeetingTopic,
    MeetingMaterial,
    Schedule,
    ScheduleLane,
    ScheduleActivity,
)


WHEN = ("upcoming", "held", "all")


@dataclass
class Listing:
    """One page of a meeting list: the plan filter (None: every plan; a slug no plan has:
    nothing), upcoming or held as of ``today``, and the page's meeting ids in order."""

    plan_slug: str | None
    when: str
    today: date
    page: Page
    ids: list[int]


def _listing_queryset(plan_slug: str | None, when: str, today: date):
    """The meetings of a list, in its order, as ids: the meeting's own rule of upcoming or
    held (``Meeting.objects.to_come/held_by``)."""
    meetings = Meeting.objects.all()
    if plan_slug:
        meetings = meetings.filter(plan__slug=plan_slug)
    if when == "held":
        meetings = meetings.held_by(today).order_by("-earliest", "-latest", "plan_id", "-number")
    elif when == "upcoming":
        meetings = meetings.to_come(today).order_by("earliest", "latest", "plan_id", "number")
    else:
        meetings = meetings.order_by("earliest", "latest", "plan_id", "number")
    return meetings.values_list("pk", flat=True)


# The listing's SQL is compiled once per process, database and shape (plan filter or not,
# upcoming, held or all) with these stand-ins, which each request's own values replace: the
# ORM's compiler cost a kept page more than running the queries. Neither can be a real value
# (no 年度 of 1901; a slug has no control characters).
_DAY, _SLUG = date(1901, 1, 1), "\x00plan"
_listing_sql: dict = memos.store()


def _listing_statements(connection, has_plan: bool, when: str) -> tuple:
    """(count SQL, page SQL, where each parameter comes from) for the shape, compiled once."""
    key = (connection.vendor, connection.settings_dict["NAME"], has_plan, when)
    known = _listing_sql.get(key)
    if known is None:
        queryset = _listing_queryset(_SLUG if has_plan else None, when, _DAY)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        count, count_params = queryset.order_by().query.get_compiler(connection=connection).as_sql()
        day = connection.ops.adapt_datefield_value(_DAY)

        def sources(values):
            return tuple("day" if v == day else "slug" if v == _SLUG else ("=", v) for v in values)

        known = _listing_sql[key] = (
            f"SELECT COUNT(*) FROM ({count}) listed",
            sources(count_params),
            f"{sql} LIMIT %s OFFSET %s",
            sources(params),
        )
    return known


class _ListedIds:
    """The ids of a meeting list for the Paginator, read by the listing's prepared SQL: its
    ``count()`` and each page's slice are one query each, as the ORM's would be."""

    def __init__(self, plan_slug: str | None, when: str, today: date):
        self.connection = read_connection(Meeting)
        statements = _listing_statements(self.connection, bool(plan_slug), when)
        self.count_sql, count_sources, self.page_sql, page_sources = statements
        day = self.connection.ops.adapt_datefield_value(today)

        def values(sources):
            return [day if s == "day" else plan_slug if s == "slug" else s[1] for s in sources]

        self.count_params, self.page_params = values(count_sources), values(page_sources)

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(self.count_sql, self.count_params)
            return cursor.fetchone()[0]

    def __getitem__(self, part: slice) -> list[int]:
        if part.stop <= part.start:
            return []  # an empty list's only page: no query, as the ORM's
        with self.connection.cursor() as cursor:
            cursor.execute(self.page_sql, [*self.page_params, part.stop - part.start, part.start])
            return [row[0] for row in cursor.fetchall()]


def meeting_listing(
    plan_slug: str | None, when: str | None, page=None, *, default: str = "upcoming"
) -> Listing:
    """The ids of one page of meetings (two queries: the count and the page). Upcoming ones
    (開催予定 and 開催時期) soonest first; held ones (and cancelled ones past their period) latest
    first. "Upcoming or held" is the meeting's own rule (``Meeting.objects.to_come/held_by``)."""
    today = timezone.localdate()
    when = when if when in WHEN else default
    ids = _ListedIds(plan_slug or None, when, today)
    paginator = Paginator(ids, settings.MEETINGS_PER_PAGE)
    page_obj = paginator.get_page(page)
    return Listing(plan_slug, when, today, page_obj, list(page_obj.object_list))


def _in(ids) -> tuple[str, list]:
    """``IN (…)`` for ``ids`` (never empty: ``IN (NULL)`` matches nothing)."""
    ids = list(ids) or [None]
    return "(" + ", ".join(["%s"] * len(ids)) + ")", ids


def meeting_rows(listing: Listing) -> str:
    """A digest of everything one page of the meeting list (or its JSON) shows: today, the
    page's place in the list, its meetings, their topics, materials and linked initiatives, the
    yearly topics, plans and cities of the plans on the page. Constant in queries, whatever the
    number of meetings: only the page's rows are read."""
    ids, params = _in(listing.ids)
    plan_ids = "SELECT plan_id FROM {Meeting} WHERE id IN " + ids
    if listing.plan_slug:
        plan_ids = "SELECT id FROM {Plan} WHERE slug = %s"
        plan_params = [listing.plan_slug]
    else:
        plan_params = params
    link = Meeting.initiatives.through
    q = connection.ops.quote_name
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {q(link._meta.db_table)} WHERE meeting_id IN {ids} ORDER BY id",
            params,
        )
        links = cursor.fetchall()
    return digest(
        listing.today,
        listing.when,
        _directory_rows() if not listing.plan_slug else None,
        listing.page.number,
        listing.page.paginator.count,
        listing.ids,
        _raw(Meeting, "id IN " + ids, params),
        _raw(MeetingTopic, "meeting_id IN " + ids, params),
        _raw(MeetingTopic, f"meeting_id IS NULL AND plan_id IN ({plan_ids})", plan_params),
        _raw(MeetingMaterial, "meeting_id IN " + ids, params),
        links,
        _raw(
            Initiative,
            "id IN (SELECT initiative_id FROM {Link} WHERE meeting_id IN " + ids + ")",
            params,
        ),
        _raw(Plan, f"id IN ({plan_ids})", plan_params),
        _raw(
            Municipality,
            f"id IN (SELECT municipality_id FROM {{Plan}} WHERE id IN ({plan_ids}))",
            plan_params,
        ),
    )


def meeting_data(listing: Listing) -> dict:
    """One page of meetings with their phase today (開催予定 / 開催時期 / 本日開催 / 開催済 /
    中止), topics, public materials and linked initiatives, and the yearly topics of the plans
    shown (five queries, six with a plan filter)."""
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=listing.ids)
        .select_related("plan__municipality")
        .prefetch_related(
            Prefetch("topics", queryset=MeetingTopic.objects.order_by("order", "pk")),
            Prefetch(
                "materials",
                queryset=MeetingMaterial.objects.filter(is_public=True).order_by("order", "pk"),
            ),
            Prefetch("initiatives", queryset=Initiative.objects.order_by("order", "code", "pk")),
        )
    }
    ordered = [meetings[pk] for pk in listing.ids if pk in meetings]
    for meeting in ordered:
        meeting.phase = meeting.phase_on(listing.today)
        meeting.phase_label = Meeting.Phase(meeting.phase).label
        meeting.note = meeting.date_note(meeting.phase)
        for initiative in meeting.initiatives.all():
            initiative.plan = meeting.plan  # its address names the plan: no query per item
    plan = None
    if listing.plan_slug:
        plan = Plan.objects.select_related("municipality").filter(slug=listing.plan_slug).first()
        plans = [plan] if plan else []
    else:
        plans = list({m.plan_id: m.plan for m in ordered}.values())
    topics = MeetingTopic.objects.filter(
        meeting__isnull=True, plan__in=[p.pk for p in plans]
    ).order_by("plan_id", "fiscal_year", "order", "pk")
    by_plan = {p.pk: p for p in plans}
    yearly = list(topics)
    for topic in yearly:
        topic.plan = by_plan[topic.plan_id]
    directory = _plans_with_meetings() if not listing.plan_slug else []
    return {
        "meetings": ordered,
        "items": listing.page,
        "when": listing.when,
        "plan": plan,
        "plan_slug": listing.plan_slug,
        "plans": plans,
        "directory": directory[: settings.PUBLIC_HOME_BOARDS_MAX],
        "more_plans": len(directory) > settings.PUBLIC_HOME_BOARDS_MAX,
        "yearly_topics": yearly,
        "today": listing.today,
    }


def _directory_query():
    meetings = Meeting.objects.filter(plan=OuterRef("pk"))
    return (
        Plan.objects.filter(Exists(meetings))
        .annotate(has_schedule=Exists(Schedule.objects.filter(plan=OuterRef("pk"))))
        .select_related("municipality")
        .order_by("order", "slug")[: settings.PUBLIC_HOME_BOARDS_MAX + 1]
    )


def _plans_with_meetings() -> list[Plan]:
    """The first plans that have X会議 (one more than PUBLIC_HOME_BOARDS_MAX, to tell whether
    there are more), each with whether it has a schedule: the every-plan list links each plan's
    meetings, schedule and feed, whichever of its meetings the page shows (one query)."""
    return list(_directory_query())


# ``_directory_query``'s SQL, compiled once per process, database and list length (nothing in
# it comes from the request).
_directory_sql: dict = memos.store()


def _directory_rows() -> list[tuple]:
    """What ``_plans_with_meetings`` reads, as the database gives it (for the digest)."""
    connection = read_connection(Plan)
    key = (connection.vendor, connection.settings_dict["NAME"], settings.PUBLIC_HOME_BOARDS_MAX)
    statement = _directory_sql.get(key)
    if statement is None:
        query = _directory_query().query
        statement = _directory_sql[key] = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


# The last facts read per language, by (plans, today, a digest of their meetings' and schedules'
# rows).
_facts_memo: dict = memos.store()


def plan_meeting_facts(plan_ids: list[int]) -> dict[int, dict]:
    """For the home page's plans without a published 時点: each plan's next X会議 (the first not
    held as of today), its last held one and whether it has a schedule grid.

    With ``PUBLIC_DATA_MEMO`` the facts are kept per process for the rows they come from (two
    plain reads of the plans' meetings and schedules) and the day: building the one query that
    picks them was five-sixths of the home page's time."""
    today = timezone.localdate()
    if not settings.PUBLIC_DATA_MEMO:
        return _meeting_facts(plan_ids, today)
    marks = ", ".join(["%s"] * len(plan_ids))
    rows = [_raw(model, f"plan_id IN ({marks})", plan_ids) for model in (Meeting, Schedule)]
    key = (tuple(plan_ids), today, digest(rows))
    # Per language: a meeting's phase label and date note are translated text.
    language = get_language() or ""
    kept = _facts_memo.get(language)
    if kept is None or kept[0] != key:
        kept = (key, _meeting_facts(plan_ids, today))
        _facts_memo[language] = kept
    return kept[1]


def _meeting_facts(plan_ids: list[int], today: date) -> dict[int, dict]:
    """``plan_meeting_facts`` read (one query for any number of plans and meetings; a plan
    without meetings gets no facts)."""
    of_plan = Meeting.objects.filter(plan=OuterRef("pk"))
    plans = Plan.objects.filter(pk__in=plan_ids)
    upcoming = of_plan.to_come(today).order_by("earliest", "number", "pk").values("pk")[:1]
    held = (
        of_plan.held_by(today)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-latest", "-number", "-pk")
        .values("pk")[:1]
    )
    meetings = Meeting.objects.filter(
        Q(pk__in=plans.annotate(m=Subquery(upcoming)).values("m"))
        | Q(pk__in=plans.annotate(m=Subquery(held)).values("m"))
    ).annotate(has_schedule=Exists(Schedule.objects.filter(plan=OuterRef("plan_id"))))
    facts: dict[int, dict] = {}
    for meeting in meetings:
        meeting.phase = meeting.phase_on(today)
        meeting.phase_label = Meeting.Phase(meeting.phase).label
        meeting.note = meeting.date_note(meeting.phase)
        kept = facts.setdefault(
            meeting.plan_id, {"next": None, "last": None, "has_schedule": meeting.has_schedule}
        )
        past = meeting.status == Meeting.Status.HELD or meeting.latest < today
        kept["last" if past else "next"] = meeting
    return facts


def material_url(material: MeetingMaterial) -> str:
    """Where a material is read: its link, or the public download of its file."""
    if material.url:
        return material.url
    return reverse("meeting_material", args=[material.pk])


def calendar_rows(slug: str) -> str:
    """A digest of everything the plan's iCalendar feed shows: today (the phases), the plan,
    its city, its meetings and their topics (five queries)."""
    plan = "SELECT id FROM {Plan} WHERE slug = %s"
    return digest(
        timezone.localdate(),
        _raw(Plan, "slug = %s", [slug]),
        _raw(Municipality, "id IN (SELECT municipality_id FROM {Plan} WHERE slug = %s)", [slug]),
        _raw(Meeting, f"plan_id IN ({plan})", [slug]),
        _raw(
            MeetingTopic,
            f"meeting_id IN (SELECT id FROM {{Meeting}} WHERE plan_id IN ({plan}))",
            [slug],
        ),
    )


def calendar_data(slug: str) -> dict:
    """The plan (404 if none) and every one of its meetings by date, with their topics (three
    queries). A plan holds a handful of meetings a year, so the feed is not paginated."""
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    meetings = list(
        Meeting.objects.filter(plan=plan)
        .prefetch_related(Prefetch("topics", queryset=MeetingTopic.objects.order_by("order", "pk")))
        .order_by("earliest", "number", "pk")
    )
    for meeting in meetings:
        meeting.plan = plan
    return {"plan": plan, "meetings": meetings, "today": timezone.localdate()}


def schedule_rows(slug: str) -> str:
    """A digest of everything the plan's schedule pages and JSON show: the plan, its city and
    pillars, its schedules with their lanes and activities, and its meetings (seven queries)."""
    plan = "SELECT id FROM {Plan} WHERE slug = %s"
    schedules = f"SELECT id FROM {{Schedule}} WHERE plan_id IN ({plan})"
    lanes = f"SELECT id FROM {{ScheduleLane}} WHERE schedule_id IN ({schedules})"
    return digest(
        _raw(Plan, "slug = %s", [slug]),
        _raw(Municipality, "id IN (SELECT municipality_id FROM {Plan} WHERE slug = %s)", [slug]),
        _raw(Pillar, f"plan_id IN ({plan})", [slug]),
        _raw(Schedule, f"plan_id IN ({plan})", [slug]),
        _raw(ScheduleLane, f"schedule_id IN ({schedules})", [slug]),
        _raw(ScheduleActivity, f"lane_id IN ({lanes})", [slug]),
        _raw(Meeting, f"plan_id IN ({plan})", [slug]),
    )


def schedule_data(slug: str, fiscal_year: int | None) -> dict:
    """The plan's schedule grid of ``fiscal_year`` (its latest when None), with its meetings."""
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    schedules = Schedule.objects.filter(plan=plan).order_by("-fiscal_year")
    if fiscal_year is not None:
        schedules = schedules.filter(fiscal_year=fiscal_year)
    schedule = get_object_or_404(schedules.with_grid()[:1])
    meetings = list(
        Meeting.objects.filter(plan=plan, fiscal_year=schedule.fiscal_year).order_by("earliest")
    )
    columns, rows = schedule.grid(meetings)
    return {"plan": plan, "schedule": schedule, "columns": columns, "rows": rows}
