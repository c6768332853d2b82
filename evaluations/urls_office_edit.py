"""The reform office's edit pages of its own plan (/office/plans/<slug>/…), named "office_edit:…"."""

from django.urls import include, path

from evaluations.views import office_edit as views

plan_patterns = [
    path("", views.plan_index, name="plan"),
    path("edit/", views.plan_edit, name="plan_edit"),
    path("period/", views.plan_period, name="plan_period"),
    path("notes/", views.notes, name="notes"),
    path("notes/<id:pk>/", views.note_edit, name="note"),
    path("notes/<id:pk>/move/", views.note_move, name="note_move"),
    path("notes/<id:pk>/delete/", views.note_delete, name="note_delete"),
    path("pillars/new/", views.pillar_add, name="pillar_add"),
    path("pillars/<id:order>/", views.pillar_edit, name="pillar"),
    path(
        "pillars/<id:order>/narratives/<fy:fiscal_year>/",
        views.narrative_edit,
        name="narrative",
    ),
    path("pillars/<id:order>/delete/", views.pillar_delete, name="pillar_delete"),
    # The same year's interim 時点 (中間, 8月末): a narrative of its own.
    path(
        "pillars/<id:order>/narratives/<fy:fiscal_year>/interim/",
        views.narrative_edit,
        {"kind": "interim"},
        name="narrative_interim",
    ),
    path("initiatives/", views.initiatives, name="initiatives"),
    path("initiatives/<str:code>/", views.initiative_edit, name="initiative"),
    path("initiatives/<str:code>/move/", views.initiative_move, name="initiative_move"),
    path("initiatives/<str:code>/retire/", views.initiative_retire, name="initiative_retire"),
    path("initiatives/<str:code>/delete/", views.initiative_delete, name="initiative_delete"),
    path("initiatives/<str:code>/number/", views.initiative_renumber, name="initiative_number"),
    path(
        "initiatives/<str:code>/reinstate/",
        views.initiative_reinstate,
        name="initiative_reinstate",
    ),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<fy:fiscal_year>/", views.schedule_detail, name="schedule"),
    path("schedules/<fy:fiscal_year>/edit/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<fy:fiscal_year>/delete/", views.schedule_delete, name="schedule_delete"),
    path("schedule-rows/<id:pk>/", views.lane_edit, name="lane"),
    path("schedule-rows/<id:pk>/delete/", views.lane_delete, name="lane_delete"),
    path("schedule-activities/<id:pk>/", views.activity_edit, name="activity"),
    path("schedule-activities/<id:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/<id:pk>/", views.cluster_edit, name="cluster"),
    path("clusters/<id:pk>/move/", views.cluster_move, name="cluster_move"),
    path("clusters/<id:pk>/delete/", views.cluster_delete, name="cluster_delete"),
]

urlpatterns = [
    path("office/plans/<slug:slug>/", include((plan_patterns, "office_edit"))),
]
