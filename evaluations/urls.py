from django.urls import path

from evaluations.views import (
    api,
    cards,
    compare,
    departments,
    feeds,
    opendata,
    public,
    subscriptions,
)

urlpatterns = [
    path("", public.home, name="home"),
    # Share cards (og:image): PNG, as social networks and LINE do not show SVG there.
    path("card.png", cards.site_card, name="site_card"),
    path("plans/<slug:slug>/card.png", cards.plan_card, name="plan_card"),
    path("plans/<slug:slug>/", public.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/pillars/<id:order>/", public.pillar_detail, name="pillar_detail"),
    path(
        "plans/<slug:slug>/initiatives/<str:code>/",
        public.initiative_detail,
        name="initiative_detail",
    ),
    path("plans/<slug:slug>/badge.svg", public.badge, name="plan_badge"),
    path(
        "plans/<slug:slug>/departments/",
        departments.department_summary,
        name="department_summary",
    ),
    path("initiatives/", public.initiative_list, name="initiative_list"),
    path("compare/", compare.compare_plans, name="compare_plans"),
    path("feed/", feeds.site_feed, name="site_feed"),
    path("atom.xml", feeds.site_feed, name="site_feed_atom_xml"),
    path("plans/<slug:slug>/feed/", feeds.plan_feed, name="plan_feed"),
    path("plans/<slug:slug>/compare/", compare.plan_changes, name="plan_changes"),
    path(
        "open-data/plans/<slug:slug>/compare.json",
        compare.plan_changes_json,
        name="api_plan_changes",
    ),
    path("plans/<slug:slug>/subscribe/", subscriptions.subscribe, name="subscription_subscribe"),
    path("plans/<slug:slug>/subscribe/sent/", subscriptions.sent, name="subscription_sent"),
    path(
        "subscriptions/<str:token>/confirm/",
        subscriptions.confirm,
        name="subscription_confirm",
    ),
    path(
        "subscriptions/<str:token>/unsubscribe/",
        subscriptions.unsubscribe,
        name="subscription_unsubscribe",
    ),
    path(
        "plans/<slug:slug>/initiatives/<str:code>/feed/",
        feeds.initiative_feed,
        name="initiative_feed",
    ),
    path("open-data/compare.json", compare.compare_json, name="open_data_compare"),
    path("open-data/", opendata.index, name="open_data"),
    path("open-data/plans.json", opendata.plans_json, name="open_data_plans"),
    path(
        "open-data/<slug:slug>/<fy:fiscal_year>/results.csv",
        opendata.results_csv,
        name="open_data_results_csv",
    ),
    path(
        "open-data/<slug:slug>/<fy:fiscal_year>/results.json",
        opendata.results_json,
        name="open_data_results_json",
    ),
    # The read API: each public page's data as JSON (views/api.py, README "Read API").
    path("open-data/home.json", api.home, name="api_home"),
    path("open-data/initiatives.json", api.initiatives, name="api_initiatives"),
    path("open-data/plans/<slug:slug>.json", api.plan, name="api_plan"),
    path(
        "open-data/plans/<slug:slug>/departments.json",
        departments.department_summary_json,
        name="api_departments",
    ),
    path("open-data/plans/<slug:slug>/pillars/<id:order>.json", api.pillar, name="api_pillar"),
    path(
        "open-data/plans/<slug:slug>/initiatives/<str:code>.json",
        api.initiative,
        name="api_initiative",
    ),
]
