"""History on the initiative page (staff: everything; public: published versions) and published
snapshots that later edits cannot change."""

from __future__ import annotations

import pytest
from django.contrib import admin

from evaluations import published, services
from evaluations.models import HistoryEvent, PublishedResult
from tests.personas import client_for, move


def publish_both(world, result_a="achieved", result_b="not_achieved"):
    move(world, world.entry_a, "edit", "submit", "confirm", result=result_a)
    move(world, world.entry_b, "edit", "submit", "confirm", result=result_b)
    return services.publish_round(user=world.users["office"], round_id=world.round.pk)


def history_section(page: str) -> str:
    start = page.index('id="initiative-history"')
    return page[start : page.index("</section>", start)]


def test_it_shows_staff_every_change_and_the_public_only_published_versions(world):
    move(world, world.entry_a, "edit")
    page_url = world.initiative_a.get_absolute_url()
    staff_view = history_section(client_for(world, "staff_a").get(page_url).content.decode())
    public_view = history_section(client_for(world, "anonymous").get(page_url).content.decode())
    assert "進捗を入力しました。" in staff_view and "編集" in staff_view
    assert "進捗を入力しました。" not in public_view
    assert "変更履歴はまだありません。" in public_view
    # Staff of another department see the public view of this initiative.
    other_view = history_section(client_for(world, "staff_b").get(page_url).content.decode())
    assert "進捗を入力しました。" not in other_view


def test_it_shows_the_public_each_publication_and_what_a_correction_changed(world):
    publish_both(world, result_a="achieved")
    entry = move(world, world.entry_a, "reopen", "return")
    services.edit_entry(
        user=world.users["staff_a"],
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": "not_achieved", "narrative": "年度内に完了しなかった。"},
    )
    draft = history_section(
        client_for(world, "anonymous").get(world.initiative_a.get_absolute_url()).content.decode()
    )
    assert "年度内に完了しなかった。" not in draft  # unpublished correction stays private
    move(world, world.entry_a, "submit", "confirm")
    move(world, world.entry_b, "return", "submit", "confirm")
    services.publish_round(user=world.users["office"], round_id=world.round.pk)
    view = history_section(
        client_for(world, "anonymous").get(world.initiative_a.get_absolute_url()).content.decode()
    )
    assert "公表（訂正）" in view
    assert "年度内に完了しなかった。" in view
    assert view.index("公表（訂正）") < view.index("<td>公表<")  # newest first


def test_it_keeps_a_published_snapshot_figure_for_figure_after_later_edits(world):
    publication = publish_both(world)
    frozen = list(
        PublishedResult.objects.filter(publication=publication)
        .order_by("pk")
        .values("initiative", "result", "reason", "narrative", "title", "department_name")
    )
    summary_before = published.summary_of(publication)
    assert (summary_before.achieved, summary_before.evaluated) == (1, 2)
    public_before = client_for(world, "anonymous").get(world.plan.get_absolute_url())
    # Later: the office reopens the round and returns A, staff rewrite it, and the initiative
    # and department are renamed.
    entry = move(world, world.entry_a, "reopen", "return")
    services.edit_entry(
        user=world.users["staff_a"],
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": "not_achieved", "narrative": "書き換えた進捗"},
    )
    world.initiative_a.title = "改名後の取組"
    world.initiative_a.save()
    world.dept_a.name = "改名後の局"
    world.dept_a.save()
    after = list(
        PublishedResult.objects.filter(publication=publication)
        .order_by("pk")
        .values("initiative", "result", "reason", "narrative", "title", "department_name")
    )
    assert after == frozen
    summary_after = published.summary_of(publication)
    assert summary_after == summary_before
    assert summary_after.rate_display() == "50.0%"
    public_after = client_for(world, "anonymous").get(world.plan.get_absolute_url())
    assert public_after.content == public_before.content
    assert published.latest_by_plan([world.plan.pk])[world.plan.pk] == publication


def test_it_changes_the_public_figures_only_on_publication(world):
    publish_both(world, result_a="achieved", result_b="not_achieved")
    anonymous = client_for(world, "anonymous")
    assert "50.0%" in anonymous.get(world.plan.get_absolute_url()).content.decode()
    entry = move(world, world.entry_b, "reopen", "return")
    services.edit_entry(
        user=world.users["staff_b"],
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": "achieved"},
    )
    move(world, world.entry_b, "submit", "confirm")
    assert "50.0%" in anonymous.get(world.plan.get_absolute_url()).content.decode()
    services.publish_round(user=world.users["office"], round_id=world.round.pk)
    assert "100.0%" in anonymous.get(world.plan.get_absolute_url()).content.decode()


def test_it_offers_no_way_to_change_or_delete_history(world, rf):
    move(world, world.entry_a, "edit")
    event = HistoryEvent.objects.filter(entry=world.entry_a).first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    model_admin = admin.site._registry[HistoryEvent]
    request = rf.get("/")
    request.user = world.users["admin"]
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.has_add_permission(request)
