"""The reform office's edit pages of its own plan (/office/plans/<slug>/…), named "office_edit:…"."""

from django.urls import include, path

from evaluations.views.office_edit import cluster, initiative, note, pillar, plan, schedule

plan_patterns = [
    path("", plan.plan_index, name="plan"),
    path("edit/", plan.plan_edit, name="plan_edit"),
    path("period/", plan.plan_period, name="plan_period"),
    path("notes/", note.notes, name="notes"),
    path("notes/<id:pk>/", note.note_edit, name="note"),
    path("notes/<id:pk>/move/", note.note_move, name="note_move"),
    path("notes/<id:pk>/delete/", note.note_delete, name="note_delete"),
    path("pillars/new/", pillar.pillar_add, name="pillar_add"),
    path("pillars/<id:order>/", pillar.pillar_edit, name="pillar"),
    path(
        "pillars/<id:order>/narratives/<fy:fiscal_year>/",
        pillar.narrative_edit,
        name="narrative",
    ),
    path("pillars/<id:order>/delete/", pillar.pillar_delete, name="pillar_delete"),
    # The same year's interim 時点 (中間, 8月末): a narrative of its own.
    path(
        "pillars/<id:order>/narratives/<fy:fiscal_year>/interim/",
        pillar.narrative_edit,
        {"kind": "interim"},
        name="narrative_interim",
    ),
    path("initiatives/", initiative.initiatives, name="initiatives"),
    path("initiatives/<str:code>/", initiative.initiative_edit, name="initiative"),
    path("initiatives/<str:code>/move/", initiative.initiative_move, name="initiative_move"),
    path("initiatives/<str:code>/retire/", initiative.initiative_retire, name="initiative_retire"),
    path("initiatives/<str:code>/delete/", initiative.initiative_delete, name="initiative_delete"),
    path(
        "initiatives/<str:code>/number/", initiative.initiative_renumber, name="initiative_number"
    ),
    path(
        "initiatives/<str:code>/reinstate/",
        initiative.initiative_reinstate,
        name="initiative_reinstate",
    ),
    path("schedules/", schedule.schedules, name="schedules"),
    path("schedules/<fy:fiscal_year>/", schedule.schedule_detail, name="schedule"),
    path("schedules/<fy:fiscal_year>/edit/", schedule.schedule_edit, name="schedule_edit"),
    path("schedules/<fy:fiscal_year>/delete/", schedule.schedule_delete, name="schedule_delete"),
    path("schedule-rows/<id:pk>/", schedule.lane_edit, name="lane"),
    path("schedule-rows/<id:pk>/delete/", schedule.lane_delete, name="lane_delete"),
    path("schedule-activities/<id:pk>/", schedule.activity_edit, name="activity"),
    path("schedule-activities/<id:pk>/delete/", schedule.activity_delete, name="activity_delete"),
    path("clusters/", cluster.clusters, name="clusters"),
    path("clusters/<id:pk>/", cluster.cluster_edit, name="cluster"),
    path("clusters/<id:pk>/move/", cluster.cluster_move, name="cluster_move"),
    path("clusters/<id:pk>/delete/", cluster.cluster_delete, name="cluster_delete"),
]

urlpatterns = [
    path("office/plans/<slug:slug>/", include((plan_patterns, "office_edit"))),
]
