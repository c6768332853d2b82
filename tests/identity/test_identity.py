"""Each municipality's identity: its reform office edits the name, logo, accent colour, 問合せ先
and policy links in one page (one atomic service with its history row), and that
municipality's pages, logo file, stylesheet and PDF cover show them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from evaluations import identity
from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.reports import pdf
from tests.access.matrix import Case, expect, request_case
from tests.personas import PERSONAS, client_for

pytestmark = pytest.mark.django_db

VALUES = {
    "display_name": "テスト市役所",
    "display_name_en": "Test City Hall",
    "logo_alt": "テスト市章",
    "accent_colour": "#1A5FB4",
    "contact": "市政改革室（06-0000-0000）",
    "contact_url": "https://example.jp/contact/",
    "accessibility_url": "https://example.jp/accessibility/",
    "privacy_url": "https://example.jp/privacy/",
}


def png(colour=(26, 95, 180), size=(64, 32)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile("emblem.png", buffer.getvalue(), content_type="image/png")


def edit_url(world, municipality=None) -> str:
    return f"/office/identity/{(municipality or world.plan.municipality).slug}/"


def post(client, url, **changes):
    return client.post(url, {**VALUES, **changes})


CASES = [
    Case(
        "identity list", "get", lambda w: "/office/identity/", expect(302, 404, 404, 302, 200, 404)
    ),
    Case("identity page", "get", edit_url, expect(302, 404, 404, 200, 200, 403)),
    Case(
        "identity page of another city",
        "get",
        lambda w: edit_url(w, w.other_plan.municipality),
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "identity page, bad city",
        "get",
        lambda w: "/office/identity/no-such-city/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "save the identity",
        "post",
        edit_url,
        expect(302, 404, 404, 302, 302, 403),
        data=lambda w: VALUES,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_citys_reform_office_reaches_its_identity_page(world, case, persona):
    request_case(world, case, persona)


def test_the_office_saves_its_identity_with_one_history_row(world, as_persona):
    response = post(as_persona("office"), edit_url(world))
    assert response.status_code == 302
    city = world.plan.municipality
    city.refresh_from_db()
    assert city.shown_name == "テスト市役所"
    assert city.accent_colour == "#1a5fb4"  # stored lower-case
    event = HistoryEvent.objects.get(action=HistoryAction.MUNICIPALITY_IDENTITY)
    assert event.actor == world.users["office"] and event.subject_id == city.pk
    assert event.changes["accent_colour"] == {"before": "", "after": "#1a5fb4"}
    # Saving the same again changes nothing and records nothing.
    post(as_persona("office"), edit_url(world))
    assert HistoryEvent.objects.filter(action=HistoryAction.MUNICIPALITY_IDENTITY).count() == 1


def test_an_accent_under_4_5_to_1_is_refused_and_nothing_is_written(world, as_persona):
    response = post(as_persona("office"), edit_url(world), accent_colour="#ffd700")
    assert response.status_code == 422
    html = response.content.decode()
    assert "4.5:1" in html and 'id="id_accent_colour_error"' in html
    world.plan.municipality.refresh_from_db()
    assert world.plan.municipality.accent_colour == ""
    assert not HistoryEvent.objects.filter(action=HistoryAction.MUNICIPALITY_IDENTITY).exists()


def test_the_logo_is_stored_and_served_as_an_image_with_its_headers(world, as_persona):
    client = as_persona("office")
    assert post(client, edit_url(world), logo_upload=png()).status_code == 302
    city = world.plan.municipality
    city.refresh_from_db()
    assert re.fullmatch(rf"{city.slug}-[0-9a-f]{{16}}\.png", city.logo.name)
    page = client_for(world, "anonymous").get(world.plan.get_absolute_url()).content.decode()
    src = re.search(r'<img class="identity-logo" src="([^"]+)" alt="テスト市章"', page).group(1)
    response = client_for(world, "anonymous").get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (64, 32)
    # A new logo is a new address; the old one is gone from the city's pages.
    post(client, edit_url(world), logo_upload=png(colour=(0, 0, 0)))
    assert client_for(world, "anonymous").get(src).status_code == 404
    assert HistoryEvent.objects.filter(action=HistoryAction.MUNICIPALITY_IDENTITY).count() == 2


def test_a_file_that_is_not_an_image_is_refused(world, as_persona):
    fake = SimpleUploadedFile("emblem.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = post(as_persona("office"), edit_url(world), logo_upload=fake)
    assert response.status_code == 422
    assert "PNGかJPEG" in response.content.decode()
    world.plan.municipality.refresh_from_db()
    assert not world.plan.municipality.logo


def test_a_logo_needs_its_alternative_text(world, as_persona):
    response = post(as_persona("office"), edit_url(world), logo_alt="", logo_upload=png())
    assert response.status_code == 422
    assert "代替テキスト" in response.content.decode()


def test_the_accent_stylesheet_carries_the_colour_at_an_address_that_names_it(world, as_persona):
    post(as_persona("office"), edit_url(world))
    page = client_for(world, "anonymous").get(world.plan.get_absolute_url()).content.decode()
    href = re.search(r'<link rel="stylesheet" href="(/municipalities/[^"]+\.css)">', page).group(1)
    response = client_for(world, "anonymous").get(href)
    assert response["Content-Type"].startswith("text/css")
    assert b"--municipality-accent: #1a5fb4;" in response.content
    assert client_for(world, "anonymous").get(href.replace("1a5fb4", "ffd700")).status_code == 404


def test_the_citys_pages_show_its_identity_and_other_pages_do_not(world, as_persona):
    post(as_persona("office"), edit_url(world))
    anonymous = client_for(world, "anonymous")
    for url in (
        world.plan.get_absolute_url(),
        world.initiative_a.pillar.get_absolute_url(),
        world.initiative_a.get_absolute_url(),
    ):
        html = anonymous.get(url).content.decode()
        assert '<span class="identity-name">テスト市役所</span>' in html, url
        assert (
            '問合せ先：<a href="https://example.jp/contact/">市政改革室（06-0000-0000）</a>' in html
        )
        assert '<a href="https://example.jp/accessibility/">ウェブアクセシビリティ方針</a>' in html
        assert '<a href="https://example.jp/privacy/">個人情報の取扱い</a>' in html
    other = anonymous.get(world.other_plan.get_absolute_url()).content.decode()
    assert "テスト市役所" not in other and "example.jp/privacy" not in other
    english = anonymous.get(f"/en{world.plan.get_absolute_url()}").content.decode()
    assert '<span class="identity-name">Test City Hall</span>' in english


def test_the_site_name_comes_from_the_setting(world, settings):
    settings.SITE_NAME = "みんなの改革ウォッチ"
    # The Japanese address as written: reverse() follows the language a request left active.
    html = client_for(world, "anonymous").get(f"/plans/{world.plan.slug}/").content.decode()
    assert "| みんなの改革ウォッチ</title>" in html
    assert '<a class="site-title" href="/">みんなの改革ウォッチ</a>' in html


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils missing")
def test_the_pdf_cover_uses_the_identity(world, as_persona, tmp_path):
    post(as_persona("office"), edit_url(world), logo_upload=png())
    world.plan.municipality.refresh_from_db()
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(world.plan, 2024))
    cover = subprocess.run(
        ["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "テスト市役所" in cover
    assert "市政改革室（06-0000-0000）" in cover or world.plan.contact in cover
    images = subprocess.run(
        ["pdfimages", "-list", "-l", "1", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.strip().splitlines()) >= 3  # header, rule, the logo


def test_the_service_refuses_whom_the_page_refuses(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        identity.update_identity(
            user=world.users["staff_a"], slug=world.plan.municipality.slug, values={}
        )
    with pytest.raises(PermissionDenied):
        identity.update_identity(
            user=world.users["office_member"], slug=world.plan.municipality.slug, values={}
        )
    with pytest.raises(Http404):
        identity.update_identity(
            user=world.users["office"], slug=world.other_plan.municipality.slug, values={}
        )
