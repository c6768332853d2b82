"""The permission matrix of the staff pages (/staff/…): every URL × every persona → the
expected status code (tests/access/test_permissions.py asks each case).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import services
from evaluations.models import Entry, Evidence
from tests.access.matrix import BAD_ID, Case, expect
from tests.personas import PDF_BYTES, edit_data, move


def _with_file_evidence(world) -> Evidence:
    return services.add_evidence(
        user=world.users["staff_a"],
        entry_id=world.entry_a.pk,
        title="委託契約書",
        upload=SimpleUploadedFile("keiyaku.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def _submitted(world):
    move(world, world.entry_a, "edit", "submit")


def _all_confirmed(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")


def _published(world):
    _all_confirmed(world)
    services.publish_round_as_system(round_=world.round)


def _edited(world):
    move(world, world.entry_a, "edit")


def _edit(world):
    world.entry_a.refresh_from_db()
    return edit_data(world.entry_a, result="achieved", narrative="委託化を完了した。")


def _version(world):
    world.entry_a.refresh_from_db()
    return {"version": world.entry_a.version, "comment": "確認しました。"}


CASES = [
    Case("worklist", "get", lambda w: "/staff/", expect(302, 200, 200, 200, 200, 200)),
    Case(
        "entry page",
        "get",
        lambda w: f"/staff/entries/{w.entry_a.pk}/",
        expect(302, 200, 404, 200, 200, 200),
    ),
    Case(
        "entry of another city",
        "get",
        lambda w: f"/staff/entries/{w.other_entry.pk}/",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "entry, bad id",
        "get",
        lambda w: f"/staff/entries/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "edit entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/",
        expect(302, 302, 404, 403, 302, 403),
        data=_edit,
    ),
    Case(
        "edit entry, bad id",
        "post",
        lambda w: f"/staff/entries/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
        data=_edit,
    ),
    Case(
        "submit entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/submit/",
        expect(302, 302, 404, 403, 302, 403),
        data=_version,
        setup=lambda w: move(w, w.entry_a, "edit"),
    ),
    Case(
        "return entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/return/",
        expect(302, 403, 404, 302, 302, 403),
        data=_version,
        setup=_submitted,
    ),
    Case(
        "confirm entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/confirm/",
        expect(302, 403, 404, 302, 302, 403),
        data=_version,
        setup=_submitted,
    ),
    Case(
        "unknown transition",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/frobnicate/",
        expect(302, 404, 404, 404, 404, 404),
        data=_version,
    ),
    Case(
        "add evidence link",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/evidence/add/",
        expect(302, 302, 404, 403, 302, 403),
        data=lambda w: {"title": "委託の公表資料", "url": "https://www.city.example.jp/itaku"},
    ),
    Case(
        "download evidence",
        "get",
        lambda w: f"/staff/evidence/{Evidence.objects.get().pk}/",
        expect(302, 200, 404, 200, 200, 200),
        setup=_with_file_evidence,
    ),
    Case(
        "download evidence, bad id",
        "get",
        lambda w: f"/staff/evidence/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "remove evidence",
        "post",
        lambda w: f"/staff/evidence/{Evidence.objects.get().pk}/remove/",
        expect(302, 302, 404, 403, 302, 403),
        data=lambda w: {},
        setup=_with_file_evidence,
    ),
    Case("rounds", "get", lambda w: "/staff/rounds/", expect(302, 403, 403, 200, 200, 403)),
    Case(
        "open a round",
        "post",
        lambda w: "/staff/rounds/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {
            "plan": w.plan.pk,
            "fiscal_year": 2025,
            "kind": "interim",
            "as_of": "2025-08-31",
            "due_on": "2025-09-19",
        },
    ),
    Case(
        "round page",
        "get",
        lambda w: f"/staff/rounds/{w.round.pk}/",
        expect(302, 403, 403, 200, 200, 403),
    ),
    Case(
        "round of another city",
        "get",
        lambda w: f"/staff/rounds/{w.other_round.pk}/",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "round, bad id",
        "get",
        lambda w: f"/staff/rounds/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "bulk confirm",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/bulk/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {
            "action": "confirm",
            "entries": [f"{w.entry_a.pk}:{Entry.objects.get(pk=w.entry_a.pk).version}"],
        },
        setup=_submitted,
    ),
    Case(
        "close round",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/close/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {},
    ),
    Case(
        "publish round",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/publish/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {},
        setup=_all_confirmed,
    ),
    Case(
        "publish confirmation page",
        "get",
        lambda w: f"/staff/rounds/{w.round.pk}/publish/confirm/",
        expect(302, 403, 403, 200, 200, 403),
        setup=_all_confirmed,
    ),
    Case(
        "reopen a published round for a correction",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/reopen/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {"reason": "誤記の訂正"},
        setup=_published,
    ),
    Case(
        "overdue list",
        "get",
        lambda w: f"/staff/rounds/{w.round.pk}/overdue/",
        expect(302, 403, 403, 200, 200, 403),
    ),
    Case(
        "reminder to a department",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/overdue/{w.dept_a.pk}/remind/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {},
    ),
    Case(
        "reminder to another city's department",
        "post",
        lambda w: (
            f"/staff/rounds/{w.round.pk}/overdue/{w.other_entry.initiative.department_id}/remind/"
        ),
        expect(302, 403, 403, 404, 404, 403),
        data=lambda w: {},
    ),
    Case(
        "submit every ready answer",
        "post",
        lambda w: "/staff/submit-ready/",
        expect(302, 302, 403, 403, 302, 403),
        data=lambda w: {
            "entries": [f"{w.entry_a.pk}:{Entry.objects.get(pk=w.entry_a.pk).version}"]
        },
        setup=_edited,
    ),
    Case("health check", "get", lambda w: "/healthz", expect(200, 200, 200, 200, 200, 200)),
    Case("sign-in page", "get", lambda w: "/accounts/login/", expect(200, 302, 302, 302, 302, 302)),
]
