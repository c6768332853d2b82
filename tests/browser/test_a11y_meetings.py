"""Accessibility of the X会議 pages in a real browser: axe-core finds no violation on the reform
office's meeting pages (the list of plans, a plan's meetings, a meeting with its 議題, 資料 and
links, and the same page refusing a date it cannot read), nor on the public meeting lists with
materials and links and an initiative's 関連する会議 block."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from evaluations.services import meetings as services
from tests.browser.axe import violations as _violations
from tests.browser.staff_site import chromium, sign_in
from tests.factories import make_office_meeting
from tests.personas import PDF_BYTES, build_world

pytestmark = pytest.mark.browser


def _meeting_with_everything(world):
    office = world.users["office"]
    meeting = make_office_meeting(world)
    for name in ("公共施設マネジメント", "政策連携団体"):
        services.add_topic(user=office, meeting_id=meeting.pk, name=name)
    services.add_material(
        user=office,
        meeting_id=meeting.pk,
        title="資料1 次第",
        upload=SimpleUploadedFile("shidai.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    services.add_material(
        user=office,
        meeting_id=meeting.pk,
        title="動画",
        url="https://example.jp/x",
        is_public=False,
    )
    services.link_initiative(
        user=office, meeting_id=meeting.pk, initiative_id=world.initiative_a.pk
    )
    services.create_meeting(
        user=office, plan_slug=world.plan.slug, fiscal_year=2027, number=1, date_text="年度中"
    )
    return meeting


def test_axe_reports_no_violation_on_the_meeting_pages(
    transactional_db, live_server, chromium_executable, capsys
):
    world = build_world()
    meeting = _meeting_with_everything(world)
    base = live_server.url
    slug = world.plan.slug
    office_pages = {
        "office: plans": "/office/meetings/",
        "office: a plan's meetings": f"/office/meetings/plans/{slug}/",
        "office: a meeting": f"/office/meetings/{meeting.pk}/",
    }
    public_pages = {
        "meetings held": f"/meetings/?plan={slug}&when=held",
        "meetings to come": f"/meetings/?plan={slug}",
        "meetings, every plan": "/meetings/?when=all",
        "meetings (English)": f"/en/meetings/?plan={slug}&when=all",
        "initiative with meetings": world.initiative_a.get_absolute_url(),
    }
    failures, report = {}, ["\naxe-core on the X会議 pages:"]
    with chromium(chromium_executable) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        public = context.new_page()
        for name, path in public_pages.items():
            assert public.goto(base + path).status == 200, path
            failures[name] = _violations(public)
        page = sign_in(browser, base, "office")
        for name, path in office_pages.items():
            assert page.goto(base + path).status == 200, path
            failures[name] = _violations(page)
        # The meeting form refusing a date: its error is tied to the field and read out.
        page.goto(f"{base}/office/meetings/{meeting.pk}/")
        page.get_by_label("開催日（必須）").fill("7月末旬")
        page.get_by_role("button", name="保存", exact=True).click()
        error = page.locator("#id_meeting-date_text_error")
        expect(error).to_contain_text("「7月末旬」を日付として読めません")
        described = page.get_by_label("開催日（必須）").get_attribute("aria-describedby")
        assert "id_meeting-date_text_error" in described.split()
        failures["office: a meeting, refused date"] = _violations(page)
    for name, found in failures.items():
        report.append(f"  {name:<36} violations={len(found)}")
        report.extend(f"      ✗ {v}" for v in found)
    with capsys.disabled():
        print("\n".join(report))
    assert {name: found for name, found in failures.items() if found} == {}
