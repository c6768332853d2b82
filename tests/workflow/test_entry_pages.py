"""Editing an entry in the browser: htmx fragments, the same forms without JavaScript, and
every kind of bad input refused with a Japanese message and nothing changed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import evidence as evidence_files
from evaluations.choices import EntryState as S
from evaluations.models import Entry, Evidence, HistoryEvent
from tests.personas import HTMX, PDF_BYTES, client_for, edit_data, move
from tests.private_files import BACKENDS, files


def url(entry, suffix=""):
    return f"/staff/entries/{entry.pk}/{suffix}"


def state_of(entry):
    return Entry.objects.values_list("state", "version", "narrative").get(pk=entry.pk)


# --- htmx and plain forms ------------------------------------------------------------------------


def test_it_answers_htmx_with_the_form_fragment_only(world):
    client = client_for(world, "staff_a")
    response = client.post(
        url(world.entry_a),
        edit_data(world.entry_a, result="achieved", narrative="委託化した。"),
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="entry-panel"')
    assert "<html" not in page and "site-header" not in page
    assert "保存しました（入力中）" in page
    # Only the new history row comes along out of band, to go on top of the table.
    assert '<template><tbody hx-swap-oob="afterbegin:#entry-history-rows">' in page
    assert 'id="entry-history"' not in page
    new_row = page[page.index("<template>") :]
    assert new_row.count("<tr>") == 1 and "委託化した。" in new_row and "第2版" in new_row
    assert state_of(world.entry_a) == (S.IN_PROGRESS, 2, "委託化した。")


def test_it_answers_a_save_that_keeps_the_state_without_redrawing_the_form(world):
    client = client_for(world, "staff_a")
    client.post(url(world.entry_a), edit_data(world.entry_a, result="achieved"), **HTMX)
    world.entry_a.refresh_from_db()  # 入力中 now; saving again leaves it 入力中
    response = client.post(
        url(world.entry_a), edit_data(world.entry_a, narrative="二度目の保存。"), **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The notice goes into the live region; the form the user is typing in stays as it is.
    assert response["HX-Retarget"] == "#entry-notice" and response["HX-Reswap"] == "innerHTML"
    assert page.lstrip().startswith(
        '<p class="message message-success" tabindex="-1" data-swap-focus>保存しました（入力中）'
    )
    assert 'id="entry-form"' not in page and "<textarea" not in page
    # Around it: the status, the 提出 button, the next version and the new history row.
    assert 'id="entry-status" hx-swap-oob="true"' in page and "第3版" in page
    assert 'id="entry-actions" hx-swap-oob="true"' in page and "市政改革室に提出する" in page
    assert (
        '<input type="hidden" name="version" value="3" id="id_version" hx-swap-oob="true">' in page
    )
    new_row = page[page.index("<template>") :]
    assert new_row.count("<tr>") == 1 and "二度目の保存。" in new_row
    assert state_of(world.entry_a) == (S.IN_PROGRESS, 3, "二度目の保存。")


def test_it_redraws_the_whole_panel_after_a_form_that_showed_errors(world):
    client = client_for(world, "staff_a")
    client.post(url(world.entry_a), edit_data(world.entry_a, result="achieved"), **HTMX)
    world.entry_a.refresh_from_db()
    refused = client.post(
        url(world.entry_a), edit_data(world.entry_a, narrative="あ" * 5000), **HTMX
    ).content.decode()
    # A form showing errors asks for a full redraw next time, so the errors are cleared.
    assert '<input type="hidden" name="redraw" value="1">' in refused
    response = client.post(
        url(world.entry_a), edit_data(world.entry_a, narrative="直した。", redraw="1"), **HTMX
    )
    page = response.content.decode()
    assert "HX-Retarget" not in response
    assert page.lstrip().startswith('<section id="entry-panel"')
    assert "field-error" not in page and "直した。" in page


def test_it_answers_a_plain_get_with_the_full_page(world):
    page = client_for(world, "staff_a").get(url(world.entry_a)).content.decode()
    assert "<html" in page and 'id="entry-panel"' in page and 'id="entry-history"' in page
    assert 'hx-post="/staff/entries/' in page
    # Without JavaScript the same form posts to the same address.
    assert (
        f'<form id="entry-form" method="post" action="/staff/entries/{world.entry_a.pk}/"' in page
    )


def test_it_redirects_a_plain_post_and_shows_the_message_on_the_next_page(world):
    client = client_for(world, "staff_a")
    response = client.post(url(world.entry_a), edit_data(world.entry_a, result="achieved"))
    assert response.status_code == 302
    assert response["Location"] == url(world.entry_a)
    page = client.get(response["Location"]).content.decode()
    assert "保存しました（入力中）" in page
    assert "入力中" in page


def test_it_submits_and_returns_without_javascript(world):
    staff, office = client_for(world, "staff_a"), client_for(world, "office")
    move(world, world.entry_a, "edit")
    response = staff.post(url(world.entry_a, "submit/"), {"version": 2})
    assert response.status_code == 302
    response = office.post(url(world.entry_a, "return/"), {"version": 3, "comment": "根拠を添付"})
    assert response.status_code == 302
    page = staff.get(url(world.entry_a)).content.decode()
    assert "差戻し" in page and "根拠を添付" in page
    assert 'id="entry-form"' in page  # editable again


def test_it_shows_a_submitted_entry_read_only_to_its_department(world):
    move(world, world.entry_a, "edit", "submit")
    page = client_for(world, "staff_a").get(url(world.entry_a)).content.decode()
    assert 'id="entry-form"' not in page
    assert "提出済" in page
    office_page = client_for(world, "office").get(url(world.entry_a)).content.decode()
    assert "差し戻す" in office_page and "確認済にする" in office_page


def test_it_swaps_the_worklist_table_for_htmx_filters(world):
    move(world, world.entry_a, "edit")
    client = client_for(world, "office")
    full = client.get("/staff/").content.decode()
    assert world.initiative_a.title in full and world.initiative_b.title in full
    fragment = client.get("/staff/", {"state": S.IN_PROGRESS}, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="worklist-table">')
    assert world.initiative_a.title in fragment and world.initiative_b.title not in fragment


def test_it_marks_overdue_entries_on_the_worklist(world, time_machine):
    time_machine.move_to("2025-06-02 09:00 +09:00")
    page = client_for(world, "staff_a").get("/staff/").content.decode()
    assert "期限超過" in page
    assert "令和7年5月31日" in page


# --- bad input -----------------------------------------------------------------------------------


def assert_nothing_changed(entry, before, history_before):
    assert state_of(entry) == before
    assert HistoryEvent.objects.count() == history_before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_refuses_over_long_text_inline_in_japanese(world, htmx):
    before, history = state_of(world.entry_a), HistoryEvent.objects.count()
    response = client_for(world, "staff_a").post(
        url(world.entry_a),
        edit_data(world.entry_a, narrative="あ" * 4001),
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "4000文字以内で入力してください（現在4001文字）" in page
    assert ("<html" in page) is not htmx
    assert_nothing_changed(world.entry_a, before, history)


def test_it_refuses_excluded_without_a_reason(world):
    before, history = state_of(world.entry_a), HistoryEvent.objects.count()
    response = client_for(world, "staff_a").post(
        url(world.entry_a), edit_data(world.entry_a, result="excluded", reason=""), **HTMX
    )
    assert response.status_code == 422
    assert "「評価対象外」には理由を入力してください。" in response.content.decode()
    assert_nothing_changed(world.entry_a, before, history)


def test_it_escapes_html_and_script_in_narratives(world):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = client_for(world, "staff_a")
    client.post(url(world.entry_a), edit_data(world.entry_a, result="achieved", narrative=attack))
    assert Entry.objects.get(pk=world.entry_a.pk).narrative == attack  # stored as typed
    for page in (
        client.get(url(world.entry_a)).content.decode(),
        client.get(world.initiative_a.get_absolute_url()).content.decode(),
    ):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_it_refuses_a_stale_version_and_keeps_the_typed_text(world):
    first, second = client_for(world, "staff_a"), client_for(world, "admin")
    loaded = edit_data(world.entry_a)
    assert (
        first.post(url(world.entry_a), {**loaded, "narrative": "先に保存した文"}).status_code == 302
    )
    before, history = state_of(world.entry_a), HistoryEvent.objects.count()
    response = second.post(url(world.entry_a), {**loaded, "narrative": "後から保存した文"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 409
    assert "ほかの人がこの回答を先に更新しました" in page
    assert "先に保存した文" in page  # what the other person changed
    assert "staff-a さん" in page  # and who
    assert "後から保存した文</textarea>" in page  # the second person's text is kept to re-apply
    assert 'name="version" value="2"' in page  # re-saving now applies on top of theirs
    assert_nothing_changed(world.entry_a, before, history)


def test_it_refuses_an_entry_of_another_department(world):
    before, history = state_of(world.entry_b), HistoryEvent.objects.count()
    response = client_for(world, "staff_a").post(url(world.entry_b), edit_data(world.entry_b))
    assert response.status_code == 404
    assert_nothing_changed(world.entry_b, before, history)


def test_it_refuses_edits_to_a_closed_round_in_japanese(world):
    client_for(world, "office").post(f"/staff/rounds/{world.round.pk}/close/")
    before, history = state_of(world.entry_a), HistoryEvent.objects.count()
    client = client_for(world, "staff_a")
    response = client.post(url(world.entry_a), edit_data(world.entry_a, narrative="締切後"), **HTMX)
    assert response.status_code == 422
    assert "この照会は締め切られているため、変更できません。" in response.content.decode()
    assert_nothing_changed(world.entry_a, before, history)
    # And the page no longer offers the form.
    assert 'id="entry-form"' not in client.get(url(world.entry_a)).content.decode()


def test_it_refuses_a_return_without_a_comment(world):
    move(world, world.entry_a, "edit", "submit")
    before, history = state_of(world.entry_a), HistoryEvent.objects.count()
    response = client_for(world, "office").post(
        url(world.entry_a, "return/"), {"version": before[1], "comment": ""}, **HTMX
    )
    assert response.status_code == 422
    assert "差戻しの理由をコメントに入力してください。" in response.content.decode()
    assert_nothing_changed(world.entry_a, before, history)


# --- evidence ------------------------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(client, entry, name, content, **extra):
    return client.post(
        url(entry, "evidence/add/"),
        {"title": "", "url": "", "file": SimpleUploadedFile(name, content)},
        **extra,
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("keiyaku.pdf", PDF_BYTES),
        ("genba.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("genba.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("zu.gif", b"GIF89a" + b"\x00" * 32),
        ("shinchoku.xlsx", xlsx_bytes()),
    ],
)
@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_it_accepts_each_allowed_type_and_serves_it_only_through_the_checked_view(
    world, name, content
):
    client = client_for(world, "staff_a")
    response = upload(client, world.entry_a, name, content, **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="entry-evidence"')
    item = Evidence.objects.get()
    assert item.file_name == name and item.size == len(content)
    # Stored in the private storage, under a name that reveals nothing.
    with evidence_files.storage().open(item.file_path) as stored:
        assert stored.read() == content
    assert name not in item.file_path
    download = client.get(f"/staff/evidence/{item.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")
    assert client_for(world, "staff_b").get(f"/staff/evidence/{item.pk}/").status_code == 404
    assert client_for(world, "anonymous").get(f"/staff/evidence/{item.pk}/").status_code == 302
    assert HistoryEvent.objects.filter(action="evidence.add", entry=world.entry_a).count() == 1


def test_it_offers_submission_as_soon_as_evidence_makes_an_entry_in_progress(world, private_media):
    client = client_for(world, "staff_a")
    client.post(url(world.entry_a), edit_data(world.entry_a, result="achieved"))
    move(world, world.entry_a, "submit", "return")  # 差戻し: 提出 not offered until edited
    page = upload(client, world.entry_a, "keiyaku.pdf", PDF_BYTES, **HTMX).content.decode()
    assert state_of(world.entry_a)[0] == S.IN_PROGRESS
    # Out of band, beside the status and the version: the 提出 button, and the one new row.
    actions = page[page.index('<div id="entry-actions" hx-swap-oob="true">') :]
    assert "市政改革室に提出する" in actions.split("</div>")[0]
    assert 'id="entry-status" hx-swap-oob="true"' in page and "入力中" in page
    new_row = page[page.index("<template>") :]
    assert new_row.count("<tr>") == 1 and "根拠資料の追加" in new_row


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "このファイル形式（.exe）は登録できません"),
        ("page.html", b"<html><script>", "このファイル形式（.html）は登録できません"),
        (
            "fake.pdf",
            b"<html><script>alert(1)</script>",
            "ファイルの中身が拡張子（.pdf）と一致しません",
        ),
        ("fake.png", PDF_BYTES, "ファイルの中身が拡張子（.png）と一致しません"),
        (
            "report.xlsx",
            b"PK\x03\x04not really a zip",
            "ファイルの中身が拡張子（.xlsx）と一致しません",
        ),
    ],
)
@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_it_refuses_a_forbidden_type_in_japanese(world, name, content, message):
    history = HistoryEvent.objects.count()
    response = upload(client_for(world, "staff_a"), world.entry_a, name, content, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert HistoryEvent.objects.count() == history
    assert files(evidence_files.storage(), f"evidence/{world.entry_a.round_id}") == []


def test_it_refuses_a_file_over_the_size_limit(world, settings, private_media):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = upload(
        client_for(world, "staff_a"), world.entry_a, "big.pdf", PDF_BYTES + b"0" * 2000
    )
    assert response.status_code == 422
    page = response.content.decode().replace("\xa0", " ")
    assert "ファイルが大きすぎます" in page
    assert "1.0 KBまでのファイルを選んでください" in page
    assert not Evidence.objects.exists()


def test_it_accepts_a_link_and_refuses_a_script_url(world):
    client = client_for(world, "staff_a")
    bad = client.post(
        url(world.entry_a, "evidence/add/"), {"title": "x", "url": "javascript:alert(1)"}
    )
    assert bad.status_code == 422
    assert "http:// または https:// で始まるURL" in bad.content.decode()
    good = client.post(
        url(world.entry_a, "evidence/add/"),
        {"title": "公表資料", "url": "https://www.city.example.jp/a.pdf"},
    )
    assert good.status_code == 302
    assert Evidence.objects.get().url == "https://www.city.example.jp/a.pdf"


def test_it_removes_evidence_keeping_the_row_and_its_history(world):
    client = client_for(world, "staff_a")
    upload(client, world.entry_a, "keiyaku.pdf", PDF_BYTES)
    item = Evidence.objects.get()
    assert client.post(f"/staff/evidence/{item.pk}/remove/").status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None and item.removed_by == world.users["staff_a"]
    assert client.get(f"/staff/evidence/{item.pk}/").status_code == 404
    assert HistoryEvent.objects.filter(action="evidence.remove").count() == 1


def test_it_keeps_the_entry_pages_history_short_and_links_to_the_full_one(world):
    client = client_for(world, "staff_a")
    for n in range(22):
        world.entry_a.refresh_from_db()
        client.post(url(world.entry_a), edit_data(world.entry_a, narrative=f"第{n}回の更新"))
    page = client.get(url(world.entry_a)).content.decode()
    history = page[page.index('id="entry-history"') :]
    assert history.count("<tr>") - 1 == 20  # header row + the newest 20
    assert "第21回の更新" in history and "第0回の更新" not in history
    assert "すべての変更履歴は取組項目のページで確認できます" in history
    full = client.get(world.initiative_a.get_absolute_url()).content.decode()
    assert "第0回の更新" in full
