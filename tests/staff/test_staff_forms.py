"""The staff pages' forms, as the server renders them: every error and help text tied to its
field by an id that exists, the round form's 時点 help and its year in 西暦 or 和暦, the plan
choice in Japanese, and what cannot be done no longer offered (evidence after 提出)."""

import re

import pytest
from django.urls import reverse

from evaluations.models import Round
from initiatives.models import Plan
from tests.personas import HTMX, client_for, edit_data, move

pytestmark = pytest.mark.django_db


def described_ids_missing(page: str) -> list[str]:
    """Every id an aria-describedby (or aria-labelledby) names that the page does not hold."""
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    named = re.findall(r'aria-(?:describedby|labelledby)="([^"]+)"', page)
    return [name for value in named for name in value.split() if name not in ids]


def test_a_refused_answer_ties_each_error_to_its_field(world):
    client = client_for(world, "staff_a")
    url = reverse("staff:entry", args=[world.entry_a.pk])
    for headers in ({}, HTMX):
        response = client.post(url, edit_data(world.entry_a, result="excluded"), **headers)
        page = response.content.decode()
        assert response.status_code == 422
        assert 'aria-describedby="id_reason_error"' in page
        assert 'id="id_reason_error"' in page
        assert described_ids_missing(page) == []
        # The summary at the top links to the field.
        assert '<a href="#id_reason">' in page


def test_a_refused_evidence_form_ties_its_errors_and_keeps_its_help(world):
    client = client_for(world, "staff_a")
    response = client.post(
        reverse("staff:evidence_add", args=[world.entry_a.pk]), {"url": "ftp://x"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert described_ids_missing(page) == []
    assert 'id="id_url_error"' in page
    # The limits with their numbers, tied to the file field.
    assert re.search(r'id="id_file_helptext">登録できる形式：.+（[\d.]+\s?MBまで）', page)


def test_the_round_form_shows_the_help_it_refers_to_and_reads_japanese_years(world):
    client = client_for(world, "office")
    page = client.get(reverse("staff:rounds")).content.decode()
    assert (
        'id="id_as_of_helptext">空欄なら、年度末の照会は3月31日、中間の照会は8月31日の時点になります。'
        in page
    )
    assert 'id="id_fiscal_year_helptext">西暦（例：2025）でも和暦（例：令和7年度、R7）でも' in page
    assert described_ids_missing(page) == []
    assert '">選択してください</option>' in page
    assert "Select an option" not in page

    for typed, fiscal_year in (("令和7年度", 2025), ("Ｒ８", 2026), ("2027", 2027)):
        response = client.post(
            reverse("staff:rounds"),
            {
                "plan": world.plan.pk,
                "fiscal_year": typed,
                "kind": "year_end",
                "as_of": f"{fiscal_year + 1}-03-31",
                "due_on": f"{fiscal_year + 1}-05-31",
            },
        )
        assert response.status_code == 302, typed
        assert Round.objects.filter(plan=world.plan, fiscal_year=fiscal_year).exists(), typed

    refused = client.post(
        reverse("staff:rounds"),
        {"plan": world.plan.pk, "fiscal_year": "7", "kind": "year_end", "as_of": "2026-03-31"},
    )
    page = refused.content.decode()
    assert refused.status_code == 422
    assert 'id="id_fiscal_year_error"' in page and described_ids_missing(page) == []


def test_after_submitting_the_evidence_form_is_no_longer_offered(world):
    client = client_for(world, "staff_a")
    move(world, world.entry_a, "edit")
    response = client.post(
        reverse("staff:entry_transition", args=[world.entry_a.pk, "submit"]),
        {"version": world.entry_a.version},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The evidence panel comes along out of band, without its form.
    evidence = page[page.index('<section id="entry-evidence"') :]
    assert 'hx-swap-oob="true"' in evidence.split(">", 1)[0]
    assert "根拠資料を登録" not in evidence
    assert "「提出済」の回答には根拠資料を追加・削除できません。" in evidence
    full = client.get(reverse("staff:entry", args=[world.entry_a.pk])).content.decode()
    assert f'action="/staff/entries/{world.entry_a.pk}/evidence/add/"' not in full


def test_evidence_sent_from_a_stale_page_is_refused_with_its_message_and_the_text_typed(world):
    """Another tab submitted the answer; this one still showed the evidence form."""
    client = client_for(world, "staff_a")
    move(world, world.entry_a, "edit", "submit")
    response = client.post(
        reverse("staff:evidence_add", args=[world.entry_a.pk]),
        {"title": "委託契約の公表資料", "url": "https://example.jp/itaku"},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "「提出済」の回答の根拠資料は変更できません。" in page
    assert "委託契約の公表資料" in page and "https://example.jp/itaku" in page
    assert 'id="evidence-refused"' in page


def test_every_staff_page_marks_its_messages_as_a_list_inside_a_live_region(world):
    client = client_for(world, "staff_a")
    move(world, world.entry_a, "edit")
    client.post(
        reverse("staff:entry", args=[world.entry_a.pk]),
        edit_data(world.entry_a, narrative="保存のみ。"),
    )
    page = client.get(reverse("staff:entry", args=[world.entry_a.pk])).content.decode()
    assert re.search(
        r'<div class="messages-region" role="status"[^>]*>\s*<ul class="messages">\s*<li', page
    )
    assert '<ul class="messages" role="status">' not in page


def test_signing_out_says_so_on_the_next_page(world):
    client = client_for(world, "staff_a")
    response = client.post(reverse("logout"), follow=True)
    assert response.status_code == 200
    assert "ログアウトしました。" in response.content.decode()


def test_the_worklist_and_round_pages_link_to_the_import(world):
    staff = client_for(world, "staff_a").get(reverse("staff:worklist")).content.decode()
    assert staff.count(f'href="{reverse("reports:import")}"') == 1
    office = client_for(world, "office")
    page = office.get(reverse("staff:round", args=[world.round.pk])).content.decode()
    assert f'href="{reverse("reports:import")}"' in page
    assert f'href="{reverse("reports:round_workbook", args=[world.round.pk])}"' in page
    assert Plan.objects.filter(pk=world.plan.pk).exists()


def test_the_sign_in_form_ties_its_errors_to_its_fields(world):
    from django.test import Client

    response = Client().post(reverse("login"), {"username": "staff-a", "password": ""})
    page = response.content.decode()
    assert 'aria-describedby="id_password_error"' in page
    assert 'id="id_password_error"' in page
    assert described_ids_missing(page) == []
