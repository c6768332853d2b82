"""Small factories for tests: plain functions that build valid rows with Japanese defaults.

Results are never written directly: ``make_published_round`` goes through
``evaluations.services`` (open_round_as_system → update_entry_as_system with state=CONFIRMED →
publish_round_as_system), the way the seed loader does, so history and snapshots are made as in
production. The one exception is ``grow_and_publish``, which bulk-writes a plan of 10,000 items and
its publication for the tests of page size and speed (through the services that would take
minutes).

Every factory gives each row a fresh code/slug, so several calls in one test never collide;
pass the keyword arguments you care about and leave the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from evaluations import services
from evaluations.choices import EntryState, Result, RoundKind
from evaluations.models import Publication, PublishedPillar, PublishedResult, Round
from initiatives.models import Department, Initiative, Municipality, Pillar, Plan
from reformtracker.calendar_ja import fiscal_year_end, fy_end_label_ja
from tests.constants import OSAKA

_sequence = itertools.count(1)

DEFAULT_EXCLUDED_REASON = "令和9年度末時点で評価を実施のため、評価対象外。"


def _next() -> int:
    return next(_sequence)


def make_municipality(*, slug: str | None = None, name: str = "テスト市") -> Municipality:
    """A city. The slug is unique unless given."""
    n = _next()
    return Municipality.objects.create(
        slug=slug or f"city-{n}", name=name, name_en=f"Test City {n}"
    )


def make_department(
    municipality: Municipality | None = None,
    *,
    code: str | None = None,
    name: str | None = None,
    kind: str = Department.Kind.BUREAU,
) -> Department:
    """A bureau (局) of ``municipality`` (a new city if omitted)."""
    n = _next()
    return Department.objects.create(
        municipality=municipality or make_municipality(),
        code=code or f"dept-{n}",
        name=name or f"テスト局{n}",
        kind=kind,
    )


def make_plan(
    *,
    start_fiscal_year: int = 2024,
    end_fiscal_year: int | None = 2027,
    municipality: Municipality | None = None,
    slug: str | None = None,
    title: str | None = None,
) -> Plan:
    """A plan for 令和6年度〜令和9年度 by default (like Osaka's), in a new city if none given."""
    n = _next()
    plan = Plan(
        municipality=municipality or make_municipality(),
        slug=slug or f"plan-{n}",
        title=title or f"テスト市政改革プラン{n}",
        start_fiscal_year=start_fiscal_year,
        end_fiscal_year=end_fiscal_year,
    )
    plan.full_clean()
    plan.save()
    return plan


def make_pillar(
    plan: Plan,
    *,
    order: int | None = None,
    name: str | None = None,
    office_tracks_items: bool = True,
    kind: str = Pillar.Kind.POLICY,
) -> Pillar:
    """A pillar of ``plan``, numbered after the existing ones unless ``order`` is given.
    Tracked item by item by the reform office by default (so its initiatives get entries)."""
    if order is None:
        order = (plan.pillars.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    pillar = Pillar(
        plan=plan,
        order=order,
        name=name or f"取組方針{order}",
        kind=kind,
        office_tracks_items=office_tracks_items,
    )
    pillar.full_clean()
    pillar.save()
    return pillar


def make_initiative(
    plan: Plan | None = None,
    *,
    pillar: Pillar | None = None,
    department: Department | None = None,
    code: str | None = None,
    title: str | None = None,
    **fields,
) -> Initiative:
    """An initiative (取組項目) of ``plan`` (a new plan if omitted), validated with full_clean.

    Without ``pillar`` it goes under the plan's first office-tracked pillar (made if needed);
    without ``department`` under a new bureau of the plan's city. Other model fields
    (``target``, ``evaluation_timing``, ``first_evaluated_fiscal_year``…) pass through.
    """
    if plan is None:
        plan = pillar.plan if pillar is not None else make_plan()
    if pillar is None:
        pillar = plan.pillars.filter(office_tracks_items=True).order_by("order").first()
        pillar = pillar or make_pillar(plan)
    n = _next()
    initiative = Initiative(
        plan=plan,
        pillar=pillar,
        department=department or make_department(plan.municipality),
        code=code or f"{pillar.order}-{n}",
        order=n,
        title=title or f"テスト取組{n}",
        **fields,
    )
    initiative.full_clean()
    initiative.save()
    return initiative


def unsaved_initiatives(
    plan: Plan, pillar: Pillar, department, count: int, *, code: str, title: str, order: int
) -> list[Initiative]:
    """``count`` initiatives of ``pillar`` not yet saved, for one ``bulk_create``: numbered
    ``{code}-n`` and titled ``{title}n``, in order from ``order``."""
    return [
        Initiative(
            plan=plan,
            pillar=pillar,
            department=department,
            code=f"{code}-{n}",
            order=order + n,
            title=f"{title}{n}",
        )
        for n in range(count)
    ]


def open_year_end_round(plan: Plan, fiscal_year: int | None = None) -> Round:
    """Opens the year-end round (年度末照会) of ``fiscal_year`` (the plan's first by default)
    through ``services.open_round_as_system``: one blank entry per office-tracked initiative."""
    fiscal_year = plan.start_fiscal_year if fiscal_year is None else fiscal_year
    return services.open_round_as_system(
        plan=plan,
        fiscal_year=fiscal_year,
        kind=RoundKind.YEAR_END,
        as_of=fiscal_year_end(fiscal_year),
        actor_name="factory",
    )


def confirm_entries(round_: Round, results: Mapping[Initiative, Result | tuple[Result, str]]):
    """Records each initiative's result in ``round_`` as 確認済, through
    ``services.update_entry_as_system``. A value may be a Result or ``(Result, reason)``; 評価対象外 without a reason gets
    ``DEFAULT_EXCLUDED_REASON``."""
    entries = {e.initiative_id: e for e in round_.entries.all()}
    for initiative, value in results.items():
        result, reason = value if isinstance(value, tuple) else (value, "")
        if result == Result.EXCLUDED and not reason:
            reason = DEFAULT_EXCLUDED_REASON
        entry = entries[initiative.pk]
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": result, "reason": reason},
            state=EntryState.CONFIRMED,
            actor_name="factory",
        )


def make_published_round(
    plan: Plan,
    results: Iterable[Result] | Mapping[Initiative, Result | tuple[Result, str]],
    *,
    fiscal_year: int | None = None,
    published_at: datetime | None = None,
) -> Publication:
    """Opens the year-end round of ``fiscal_year``, records ``results``, confirms and publishes.

    ``results`` is either a list of Results — one new initiative is made for each, under the
    plan's first office-tracked pillar — or a mapping {initiative: Result or (Result, reason)}.
    Every office-tracked initiative of the plan must end up with a result, or publishing is
    refused (as in production). Returns the Publication.

        make_published_round(plan, [Result.ACHIEVED, Result.NOT_ACHIEVED, Result.EXCLUDED])
    """
    if not isinstance(results, Mapping):
        results = {make_initiative(plan): result for result in results}
    round_ = open_year_end_round(plan, fiscal_year)
    confirm_entries(round_, results)
    return services.publish_round_as_system(
        round_=round_,
        actor_name="factory",
        published_at=published_at,
        note=f"{fy_end_label_ja(round_.fiscal_year)}時点",
    )


def grow_and_publish(slug: str = OSAKA, total: int = 10_000, fiscal_year: int = 2025):
    """Brings the plan to ``total`` initiatives (bulk rows under pillar 2) and publishes a
    year-end 時点 for ``fiscal_year`` holding every one of them: 2 achieved, 1 not achieved in
    every 3, and the seed's own results for the seed's items. Returns the publication.

    A generator of test data, not a service path: nothing in the product calls it, and it
    writes no history row on purpose (a history of 10,000 generated rows would measure the
    generator, not the pages). Every state change of the product goes through
    evaluations/services, which write their history through services.base.record."""
    plan = Plan.objects.get(slug=slug)
    pillar = plan.pillars.get(order=2)
    department = plan.initiatives.first().department
    existing = plan.initiatives.count()
    Initiative.objects.bulk_create(
        unsaved_initiatives(
            plan, pillar, department, total - existing, code="g", title="追加の取組", order=1000
        ),
        batch_size=1000,
    )
    round_ = Round.objects.create(
        plan=plan, fiscal_year=fiscal_year, as_of=date(fiscal_year + 1, 3, 31), state="closed"
    )
    publication = Publication.objects.create(
        round=round_, published_at=datetime(fiscal_year + 1, 6, 1, 5, tzinfo=UTC)
    )
    PublishedPillar.objects.bulk_create(
        PublishedPillar(
            publication=publication,
            pillar=p,
            order=p.order,
            name=p.name,
            office_tracks_items=p.office_tracks_items,
        )
        for p in plan.pillars.all()
    )
    rows = []
    for n, item in enumerate(
        plan.initiatives.filter(pillar__office_tracks_items=True).select_related("department")
    ):
        result = Result.NOT_ACHIEVED if n % 3 == 2 else Result.ACHIEVED
        rows.append(
            PublishedResult(
                publication=publication,
                initiative=item,
                pillar_id=item.pillar_id,
                department=item.department,
                code=item.code,
                order=item.order,
                title=item.title,
                department_name=item.department.name,
                result=result,
            )
        )
    PublishedResult.objects.bulk_create(rows, batch_size=1000)
    return publication


def make_cities(count: int, *, prefectures: Iterable[str] | None = None) -> list[Plan]:
    """``count`` cities, each with a valid 全国地方公共団体コード and one plan (no initiatives),
    spread over ``prefectures`` in turn (all 47 by default), in three bulk inserts: for the
    tests of the home page's directory and the open data's pages at many cities."""
    from initiatives.prefectures import Prefecture, local_code

    codes = list(prefectures or Prefecture.values)
    start = _next()
    cities = Municipality.objects.bulk_create(
        Municipality(
            slug=f"city-{start}-{n}",
            name=f"試験{n}市",
            name_en=f"Test {n} City",
            prefecture=codes[n % len(codes)],
            # 2xx: 政令市 use 1xx (大阪市 27100), so these never meet the seed's codes.
            local_code=local_code(f"{codes[n % len(codes)]}{200 + (start * 7 + n) % 800:03d}"),
        )
        for n in range(count)
    )
    cities = list(Municipality.objects.filter(slug__startswith=f"city-{start}-"))
    return Plan.objects.bulk_create(
        Plan(
            municipality=city,
            slug=f"plan-{city.slug}",
            title=f"{city.name}行財政改革プラン",
            start_fiscal_year=2024,
            end_fiscal_year=2027,
            order=100,  # after the seed's plans
        )
        for city in cities
    )


def make_meetings(plan: Plan, count: int, *, first_fiscal_year: int = 2000) -> list:
    """``count`` X会議 of ``plan`` in bulk, twelve a 年度 from ``first_fiscal_year`` (one a
    month, every third one on an approximate date), each with a topic and a public link: the
    meeting lists' size tests. The dates are derived as Meeting.save derives them."""
    from reformtracker.calendar_ja import ApproxDate, Part, calendar_year_of_month
    from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic

    made = []
    for n in range(count):
        fiscal_year = first_fiscal_year + n // 12
        month = (n % 12 + 3) % 12 + 1
        year = calendar_year_of_month(fiscal_year, month)
        when = ApproxDate(year, month, part=Part.LATE) if n % 3 else ApproxDate(year, month, day=15)
        meeting = Meeting(plan=plan, fiscal_year=fiscal_year, number=n % 12 + 1)
        meeting.set_date(when)
        meeting.earliest, meeting.latest = when.earliest, when.latest
        made.append(meeting)
    made = Meeting.objects.bulk_create(made, batch_size=1000)
    MeetingTopic.objects.bulk_create(
        [
            MeetingTopic(
                plan=plan, fiscal_year=m.fiscal_year, meeting=m, order=1, name=f"議題{m.pk}"
            )
            for m in made
        ],
        batch_size=1000,
    )
    MeetingMaterial.objects.bulk_create(
        [
            MeetingMaterial(meeting=m, order=1, title="次第", url=f"https://example.jp/{m.pk}")
            for m in made
        ],
        batch_size=1000,
    )
    return made


def reopen_for_correction(round_: Round, reason: str = "誤記の訂正") -> Round:
    """Reopens a published (公表済) round through ``services.reopen_round``, as the reform office
    does before correcting it (a superuser acts: the factories have no office account)."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(username="factory-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("factory-admin", password="x-unused-x")
    return services.reopen_round(user=admin, round_id=round_.pk, reason=reason)


def make_office_meeting(world):
    """The X会議 the office's meeting tests start from: 令和7年度 第2回 (7月上旬)
    「公共施設マネジメント」 of the world's plan (tests/personas.py), added by the reform office
    through the meeting service, so with its history row."""
    from evaluations.services import meetings

    return meetings.create_meeting(
        user=world.users["office"],
        plan_slug=world.plan.slug,
        fiscal_year=2025,
        number=2,
        date_text="7月上旬",
        title="公共施設マネジメント",
    )


def note_written_at(world, moment: datetime, body: str):
    """A plan note the office adds to the world's plan at ``moment`` (tests/personas.py),
    through the plan-edit service; returns its history row, dated ``moment``."""
    import time_machine

    from evaluations.choices import HistoryAction
    from evaluations.models import HistoryEvent
    from evaluations.services import plan_edits

    with time_machine.travel(moment, tick=False):
        plan_edits.add_note(
            user=world.users["office"],
            plan_id=world.plan.pk,
            values={"fiscal_year": 2024, "kind": "challenge", "body": body},
        )
    return HistoryEvent.objects.get(action=HistoryAction.PLANNOTE_CREATE)
