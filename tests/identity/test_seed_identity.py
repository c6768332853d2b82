"""The seeded cities' identity holds only what their sources published: Osaka's 問合せ先 from its
release, shown with that release and its date; Kitakyushu's document publishes no contact, so its
pages show none. A contact the office writes itself is its own, without the source."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from evaluations import identity
from initiatives.models import Department
from initiatives.roles import MANAGE_ROUND
from tests.personas import make_member

CONTACT = "市政改革室改革プラン推進担当(06-6208-9885)"
SOURCE = "報道発表資料 「新・市政改革プラン」の進捗状況(令和6年度末時点)を取りまとめました（ページ番号:660435）"


def footer(page: str) -> str:
    found = re.search(r'<div class="container identity-footer">(.*?)</div>', page, re.S)
    return found[1] if found else ""


def test_osakas_plan_page_shows_its_contact_with_the_release_it_is_quoted_from(osaka):
    page = Client().get(osaka.get_absolute_url()).content.decode()
    shown = re.sub(r"\s+", " ", footer(page))
    assert f"問合せ先：{CONTACT}" in shown
    assert f"（出典：{SOURCE}（令和7年9月16日公表））" in shown


def test_osakas_plan_page_says_its_contact_once_though_the_plan_and_the_city_both_quote_it(osaka):
    """The plan and the city quote the same line of the same release: a reader is told it once,
    at the foot of the page, beside its source."""
    assert osaka.contact == osaka.municipality.contact == CONTACT
    for path in (osaka.get_absolute_url(), f"/en{osaka.get_absolute_url()}"):
        page = Client().get(path).content.decode()
        assert page.count(CONTACT) == 1
        assert CONTACT in footer(page)
    translation.activate("ja")


def test_a_plans_own_contact_unlike_its_citys_is_shown_in_its_facts_beside_the_citys(osaka):
    office = Department.objects.get(municipality=osaka.municipality, is_reform_office=True)
    user = make_member("osaka-office", office, perms=(MANAGE_ROUND.split(".")[-1],))
    identity.update_identity(
        user=user, slug="osaka", values={"contact": "市政改革室（06-0000-0000）"}
    )
    page = Client().get(osaka.get_absolute_url()).content.decode()
    facts = re.search(r'<dl class="plan-facts">(.*?)</dl>', page, re.S)[1]
    assert f"<dt>問合せ先</dt><dd>{CONTACT}</dd>" in facts
    assert "市政改革室（06-0000-0000）" in footer(page)


def test_the_source_of_osakas_contact_is_dated_in_iso_in_english(osaka):
    page = Client().get(f"/en{osaka.get_absolute_url()}").content.decode()
    shown = footer(page)
    assert '(Source: <span lang="ja">報道発表資料' in shown
    assert f'<span lang="ja">{CONTACT}</span>' in shown
    assert "(published 2025-09-16)" in shown and "令和7年9月16日" not in shown
    translation.activate("ja")


def test_kitakyushus_plan_page_shows_no_contact_at_all(kitakyushu):
    page = Client().get(kitakyushu.get_absolute_url()).content.decode()
    assert "identity-footer" not in page
    assert "問合せ先" not in page


@pytest.mark.parametrize("new", ["市政改革室（06-0000-0000）", ""])
def test_a_contact_the_office_changes_is_its_own_without_the_releases_source(osaka, new):
    office = Department.objects.get(municipality=osaka.municipality, is_reform_office=True)
    user = make_member("osaka-office", office, perms=(MANAGE_ROUND.split(".")[-1],))
    city = identity.update_identity(user=user, slug="osaka", values={"contact": new})
    assert (city.contact, city.contact_source, city.contact_source_published_on) == (new, "", None)
    page = Client().get(osaka.get_absolute_url()).content.decode()
    assert "出典：報道発表資料" not in footer(page)


def test_a_change_of_another_identity_field_keeps_the_contacts_source(osaka):
    office = Department.objects.get(municipality=osaka.municipality, is_reform_office=True)
    user = make_member("osaka-office", office, perms=(MANAGE_ROUND.split(".")[-1],))
    city = identity.update_identity(user=user, slug="osaka", values={"logo_alt": "大阪市章"})
    assert (city.contact, city.contact_source) == (CONTACT, SOURCE)


def test_the_identity_page_says_the_contact_is_quoted_and_what_rewriting_it_does(osaka):
    office = Department.objects.get(municipality=osaka.municipality, is_reform_office=True)
    user = make_member("osaka-office", office, perms=(MANAGE_ROUND.split(".")[-1],))
    client = Client()
    client.force_login(user)
    page = client.get("/office/identity/osaka/").content.decode()
    help_text = re.search(r'id="id_contact_helptext">(.*?)</p>', page, re.S)[1]
    assert f"「{SOURCE}」（令和7年9月16日公表）から引用した問合せ先です。" in help_text
    assert "書き換えると、出典は表示されなくなります。" in help_text
