"""The read API under /open-data/: each public page's data as JSON, equal to the page."""

import pytest
import time_machine

from tests.constants import KITAKYUSHU, OSAKA, OSAKA_FY2024

pytestmark = pytest.mark.django_db

OSAKA_FIGURES = {
    **OSAKA_FY2024,
    "rate_display": "約82.6%",
    "rate_display_en": "approx. 82.6%",
}


def test_home_json_has_each_plans_headline_and_pillars(client, seeded):
    payload = client.get("/open-data/home.json").json()
    assert payload["licence"]["name"] == "CC BY 4.0"
    plans = {p["plan"]["slug"]: p for p in payload["plans"]}
    osaka = plans[OSAKA]
    assert osaka["summary"] == OSAKA_FIGURES
    assert osaka["publication"]["as_of"] == "2025-03-31"
    assert osaka["publication"]["as_of_label"] == "令和6年度末時点"
    assert [e["title"] for e in osaka["excluded"]] == ["環境負荷の低減に係る取組の推進"]
    tracked = {p["order"]: p["summary"] for p in osaka["pillars"] if p["office_tracks_items"]}
    assert set(tracked) == {2, 3, 6}
    assert sum(s["evaluated"] for s in tracked.values()) == 23
    assert plans[KITAKYUSHU]["publication"] is None
    assert plans[KITAKYUSHU]["summary"]["rate_display"] == "—"


def test_plan_json_matches_the_plan_page(client, seeded):
    payload = client.get(f"/open-data/plans/{OSAKA}.json").json()
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    assert payload["summary"]["rate_display"] in page
    assert payload["plan"]["badge"].endswith(f"/plans/{OSAKA}/badge.svg")
    assert payload["trend"] == []  # one 時点 only
    kitakyushu = client.get(f"/open-data/plans/{KITAKYUSHU}.json").json()
    assert {n["kind"] for n in kitakyushu["notes"]} >= {"reflection", "challenge"}
    assert client.get("/open-data/plans/no-such.json").status_code == 404


def test_plan_and_home_json_list_the_excluded_items_up_to_the_plan_pages_bound_and_link_to_all(
    client, seeded, settings
):
    plan = client.get(f"/open-data/plans/{OSAKA}.json").json()
    assert [e["title"] for e in plan["excluded"]] == ["環境負荷の低減に係る取組の推進"]
    assert plan["excluded_count"] == plan["summary"]["excluded"] == 1
    settings.PUBLIC_PLAN_EXCLUDED_MAX = 0
    for payload in (
        client.get(f"/open-data/plans/{OSAKA}.json").json(),
        next(
            p
            for p in client.get("/open-data/home.json").json()["plans"]
            if p["plan"]["slug"] == OSAKA
        ),
    ):
        assert payload["excluded"] == [] and payload["excluded_count"] == 1
        assert payload["excluded_url"] == (
            f"http://testserver/open-data/initiatives.json?plan={OSAKA}&result=excluded"
        )
        listed = client.get(payload["excluded_url"]).json()
        assert listed["count"] == 1
        assert [i["title"] for i in listed["results"]] == ["環境負荷の低減に係る取組の推進"]
    unpublished = client.get(f"/open-data/plans/{KITAKYUSHU}.json").json()
    assert (unpublished["excluded_count"], unpublished["excluded_url"]) == (0, None)


def test_pillar_and_initiative_json(client, seeded):
    pillar = client.get(f"/open-data/plans/{OSAKA}/pillars/6.json").json()
    assert pillar["pillar"]["name"] == "持続可能な行財政基盤の構築"
    assert pillar["summary"]["excluded"] == 1
    assert {r["result"] for r in pillar["results"]} == {"achieved", "not_achieved", "excluded"}
    item = client.get(f"/open-data/plans/{OSAKA}/initiatives/6-5.json").json()
    assert item["initiative"]["title"] == "環境負荷の低減に係る取組の推進"
    [history] = item["published_history"]
    assert history["result"] == "excluded" and history["current"] is True
    assert "令和9年度末時点" in history["reason"]
    assert client.get(f"/open-data/plans/{OSAKA}/initiatives/none.json").status_code == 404


def test_initiatives_json_takes_the_browsers_filters(client, seeded):
    payload = client.get("/open-data/initiatives.json?result=not_achieved").json()
    assert payload["count"] == 4
    assert payload["filters"] == {"result": "not_achieved"}
    assert {r["result"] for r in payload["results"]} == {"not_achieved"}
    page2 = client.get("/open-data/initiatives.json?page=2").json()
    assert (page2["count"], page2["page"], page2["pages"], len(page2["results"])) == (30, 2, 2, 10)


@time_machine.travel("2025-07-15 12:00 +0900", tick=False)
def test_meetings_json_says_held_or_upcoming_relative_to_today(client, seeded):
    payload = client.get("/open-data/meetings.json").json()
    by_number = {
        m["number"]: m
        for m in payload["meetings"]
        if m["plan"] == KITAKYUSHU and m["fiscal_year"] == 2025
    }
    assert by_number[1]["date"]["label"] == "5月23日" and by_number[1]["held"] is True
    # 7月上旬 (1–10 July) has passed by 15 July; 8月下旬 has not.
    assert by_number[2]["date"]["label"] == "7月上旬" and by_number[2]["held"] is True
    assert by_number[3]["date"]["label"] == "8月下旬" and by_number[3]["held"] is False
    assert by_number[6]["date"]["label_en"] == "late January 2026"
    schedule = client.get(f"/open-data/schedules/{KITAKYUSHU}.json").json()
    assert schedule["columns"][-1]["label"] == "12月以降"
    labels = [
        c["label"]
        for row in schedule["rows"]
        for cell in row["cells"]
        for c in cell
        if "label" in c
    ]
    assert "R6分析報告書の公表(5/23)" in labels
