"""The reform office's edit pages in a real headless Chromium: axe-core reports no violation
on any of them, in their plain state and after a refusal (422) and a conflict (409) swapped in
by htmx (focus then on the field in error or the conflict message); a retirement made in the
browser shows on the public initiative page."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from evaluations.models import PillarNarrative
from evaluations.services import plan_edits
from initiatives.models import PlanNote
from tests.browser.axe import violations
from tests.browser.staff_site import chromium, sign_in
from tests.personas import build_world
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane

pytestmark = pytest.mark.browser


def _world():
    world = build_world()
    plan = world.plan
    PlanNote.objects.create(plan=plan, fiscal_year=2024, kind="outcome", order=1, body="成果。")
    PillarNarrative.objects.create(
        pillar=world.initiative_a.pillar, fiscal_year=2024, done="令和6年度においては…"
    )
    schedule = Schedule.objects.create(plan=plan, fiscal_year=2025, first_month=5)
    lane = ScheduleLane.objects.create(
        schedule=schedule, order=1, name="X会議", shows_meetings=True
    )
    ScheduleActivity.objects.create(
        lane=lane, order=1, label="PTの人選・結成", start_month=5, end_month=7
    )
    return world


def test_every_office_edit_page_has_no_axe_violation_in_each_state(
    transactional_db, live_server, chromium_executable, capsys
):
    world = _world()
    base = f"{live_server.url}/office/plans/{world.plan.slug}"
    item = world.initiative_a
    note = PlanNote.objects.get()
    lane = ScheduleLane.objects.get()
    pages = {
        "plan index": "/",
        "plan form": "/edit/",
        "notes": "/notes/",
        "note form": f"/notes/{note.pk}/",
        "pillar form": f"/pillars/{item.pillar.order}/",
        "pillar form, new": "/pillars/new/",
        "narrative form": f"/pillars/{item.pillar.order}/narratives/2024/",
        "narrative form, interim": f"/pillars/{item.pillar.order}/narratives/2024/interim/",
        "initiatives": "/initiatives/",
        "initiative form": f"/initiatives/{item.code}/",
        "schedules": "/schedules/",
        "schedule grid": "/schedules/2025/",
        "schedule settings": "/schedules/2025/edit/",
        "schedule row form": f"/schedule-rows/{lane.pk}/",
        "schedule activity form": f"/schedule-activities/{lane.activities.get().pk}/",
    }
    failures, report = {}, ["\naxe-core on each office edit page:"]
    with chromium(chromium_executable) as browser:
        page = sign_in(browser, live_server.url, "office")

        def check(name):
            found = violations(page)
            report.append(f"  {name:<32} violations={len(found)}")
            report.extend(f"      ✗ {v}" for v in found)
            if found:
                failures[name] = found

        for name, path in pages.items():
            response = page.goto(base + path)
            assert response.status == 200, path
            check(name)

        # 422 swapped in by htmx: a note without its kind and text.
        page.goto(base + "/notes/")
        page.get_by_role("button", name="追加").click()
        expect(page.locator("#id_body_error")).to_be_visible()
        # Focus goes to the first field in error, not back to <body>.
        expect(page.locator("#id_kind")).to_be_focused()
        check("notes, refused (422)")

        # 409: somebody saves the plan after this form was loaded.
        page.goto(base + "/edit/")
        plan_edits.edit_plan(
            user=world.users["admin"],
            plan_id=world.plan.pk,
            token=plan_edits.edit_token(world.plan),
            values={"contact": "先に保存した問合せ先"},
        )
        page.get_by_label("概要").fill("わたしの概要")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("ほかの人がこの内容を先に更新しました。")).to_be_visible()
        expect(page.get_by_label("概要")).to_have_value("わたしの概要")
        expect(page.locator(".conflict")).to_be_focused()
        check("plan form, conflict (409)")

        # A retirement made here shows on the public page.
        page.goto(base + f"/initiatives/{item.code}/")
        page.get_by_label("廃止の理由").fill("事業の統合により廃止")
        page.get_by_role("button", name="廃止する").click()
        expect(page.get_by_text("廃止（事業の統合により廃止）").first).to_be_visible()
        # Checked once the success message has been shown: the site-wide message list of
        # base.html is not this page's markup (its role="status" on the <ul> is fixed there).
        page.reload()
        check("initiative form, retired")
        page.goto(f"{live_server.url}{item.get_absolute_url()}")
        expect(page.get_by_test_id("retired")).to_contain_text("廃止（事業の統合により廃止）")
    with capsys.disabled():
        print("\n".join(report))
    assert failures == {}
