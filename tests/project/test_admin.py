"""The reform office maintains plans through the admin, in Japanese, without touching history."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from evaluations.models import HistoryEvent
from initiatives.models import Plan
from xmeetings.models import Meeting


@pytest.fixture
def administrator(db):
    call_command("load_seed", verbosity=0)
    return get_user_model().objects.create_superuser("kanri", "kanri@example.jp", "x-Pass-2025!")


def test_every_model_has_a_working_changelist_with_search(client, administrator):
    client.force_login(administrator)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url, {"q": "市"} if model_admin.search_fields else {})
        assert response.status_code == 200, url


def test_domain_models_are_labelled_in_japanese(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:index")).content.decode()
    for label in ["取組項目", "計画", "X会議", "照会（更新ラウンド）", "変更履歴", "公表（時点）"]:
        assert label in page


def test_a_meeting_date_like_7_gatsu_matsujun_is_refused_in_japanese(client, administrator):
    client.force_login(administrator)
    plan = Plan.objects.get(slug="kitakyushu-shisei-henkaku")
    response = client.post(
        reverse("admin:xmeetings_meeting_add"),
        {
            "plan": plan.pk,
            "fiscal_year": 2025,
            "number": 7,
            "status": "scheduled",
            "date_text": "7月末旬",
            "topics-TOTAL_FORMS": 0,
            "topics-INITIAL_FORMS": 0,
            "materials-TOTAL_FORMS": 0,
            "materials-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "「7月末旬」を日付として読めません" in response.content.decode()
    assert not Meeting.objects.filter(plan=plan, number=7).exists()


def test_a_meeting_date_typed_as_written_is_stored_as_a_range(client, administrator):
    client.force_login(administrator)
    plan = Plan.objects.get(slug="kitakyushu-shisei-henkaku")
    response = client.post(
        reverse("admin:xmeetings_meeting_add"),
        {
            "plan": plan.pk,
            "fiscal_year": 2025,
            "number": 7,
            "status": "scheduled",
            "date_text": "２月中旬",
            "topics-TOTAL_FORMS": 0,
            "topics-INITIAL_FORMS": 0,
            "materials-TOTAL_FORMS": 0,
            "materials-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(plan=plan, number=7)
    assert (str(meeting.earliest), str(meeting.latest)) == ("2026-02-11", "2026-02-20")
    assert meeting.date_label_ja == "2月中旬"


def test_history_cannot_be_changed_or_deleted_from_the_admin(client, administrator):
    client.force_login(administrator)
    event = HistoryEvent.objects.first()
    change = reverse("admin:evaluations_historyevent_change", args=[event.pk])
    delete = reverse("admin:evaluations_historyevent_delete", args=[event.pk])
    assert client.post(change, {"action": "tampered"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action != "tampered"
    assert HistoryEvent.objects.filter(pk=event.pk).exists()
